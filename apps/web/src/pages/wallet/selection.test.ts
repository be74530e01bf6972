import { describe, expect, it } from "vitest";
import { ofSubject, renewTargets, selectable, subjectOptions } from "./selection";

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();
const cert = (serialHex: string, name: string, end: number, extra: object = {}) => ({
  serialHex,
  subject: {
    kind: "company",
    name,
    identity: name === "乙公司" ? "91350100MA2Y000002" : "91350100MA2Y000001",
  },
  state: end < 0 ? ("expired" as const) : ("good" as const),
  notAfter: inDays(end),
  expiresInDays: end,
  openOrder: null,
  ...extra,
});

describe("the wallet's company filter", () => {
  const certs = [cert("a1", "乙公司", 30), cert("b2", "甲公司", 200), cert("c3", "乙公司", 10)];

  it("offers each subject once with its count", () => {
    expect(subjectOptions(certs).map((o) => [o.name, o.count])).toEqual([
      ["甲公司", 1],
      ["乙公司", 2],
    ]);
  });

  it("keeps only the chosen subject's certificates, or all", () => {
    const yi = subjectOptions(certs).find((o) => o.name === "乙公司")!;
    expect(ofSubject(certs, yi.key).map((c) => c.serialHex)).toEqual(["a1", "c3"]);
    expect(ofSubject(certs, null)).toHaveLength(3);
  });

  it("tells apart two subjects of one name by their identity", () => {
    const twins = [
      cert("a1", "甲公司", 30),
      { ...cert("b2", "甲公司", 30), subject: { kind: "company", name: "甲公司", identity: "X" } },
    ];
    expect(subjectOptions(twins)).toHaveLength(2);
  });
});

describe("ticking certificates for one 延期 order", () => {
  it("allows the renewable ones that no open order holds", () => {
    expect(selectable(cert("a1", "甲公司", 30), 90)).toBe(true);
    expect(selectable(cert("a1", "甲公司", -5), 90)).toBe(true);
    expect(selectable(cert("a1", "甲公司", 200), 90)).toBe(false);
    expect(
      selectable(cert("a1", "甲公司", 30, { openOrder: { orderNo: "CH1", business: "renew" } }), 90),
    ).toBe(false);
    expect(selectable(cert("a1", "甲公司", 30, { state: "revoked" }), 90)).toBe(false);
  });

  it("sends them to the 延期 form as repeated serial parameters", () => {
    expect(renewTargets(["a1", "b2", "c3"])).toBe("/business/renew?serial=a1&serial=b2&serial=c3");
  });
});
