// The wallet's company filter and its 「一起延期」: which certificates can be ticked, and where they go.
import type { WalletCertificate } from "../../api/orders";
import { renewable } from "./expiry";

type Cert = Pick<WalletCertificate, "serialHex" | "subject" | "state" | "expiresInDays" | "openOrder">;

/** One subject (company or person) as the filter offers it; the key tells two of one name apart. */
export interface SubjectOption {
  key: string;
  name: string;
  identity: string | null;
  count: number;
}

export const subjectKey = (c: Pick<Cert, "subject">): string =>
  `${c.subject.name}\u0000${c.subject.identity ?? ""}`;

/** Every subject of the list once, with how many certificates it holds, by name. */
export function subjectOptions(certs: readonly Cert[]): SubjectOption[] {
  const by = new Map<string, SubjectOption>();
  for (const c of certs) {
    const key = subjectKey(c);
    const o = by.get(key);
    if (o) o.count += 1;
    else by.set(key, { key, name: c.subject.name, identity: c.subject.identity, count: 1 });
  }
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
}

/** The certificates of one subject; null = all. */
export function ofSubject<T extends Cert>(certs: readonly T[], key: string | null): T[] {
  return key === null ? [...certs] : certs.filter((c) => subjectKey(c) === key);
}

/** A certificate the wallet lets the applicant tick for 延期: renewable now and in no open order. */
export function selectable(c: Cert, windowDays: number): boolean {
  return renewable(c, windowDays) && !c.openOrder;
}

/** The 延期 form with these certificates preselected (one order; the page checks each again). */
export function renewTargets(serials: readonly string[]): string {
  const p = new URLSearchParams();
  for (const s of serials) p.append("serial", s);
  return `/business/renew?${p.toString()}`;
}
