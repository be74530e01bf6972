import { useQuery } from "@tanstack/react-query";
import { getAdminMe } from "../api/admin";
import { getMe } from "../api/portal";

export const queryKeys = {
  me: ["me"] as const,
  adminMe: ["admin", "me"] as const,
  windows: ["windows"] as const,
  smsOutbox: ["dev", "sms-outbox"] as const,
  staff: ["admin", "staff"] as const,
  adminWindows: ["admin", "windows"] as const,
  calendar: (year: number) => ["admin", "calendar", year] as const,
  audit: (filter: object, before: number | undefined) =>
    ["admin", "audit", filter, before ?? "latest"] as const,
};

/** The applicant session: `null` means logged out. */
export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: getMe, staleTime: 60_000 });
}

/** The staff session: `null` means logged out. */
export function useAdminMe() {
  return useQuery({ queryKey: queryKeys.adminMe, queryFn: getAdminMe, staleTime: 60_000 });
}
