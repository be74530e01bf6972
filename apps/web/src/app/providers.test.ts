import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { createQueryClient } from "./providers";
import { queryKeys } from "./queries";

const unauthenticated = () =>
  Promise.reject(new ApiError({ status: 401, code: "UNAUTHENTICATED", detail: "请先登录" }));

describe("query client session handling", () => {
  it("clears the staff session when an admin query answers 401, so the guard sends to /admin/login", async () => {
    const client = createQueryClient();
    client.setQueryData(queryKeys.adminMe, { id: "s1", username: "admin" });
    client.setQueryData(queryKeys.me, { id: "a1" });
    await client
      .fetchQuery({ queryKey: queryKeys.staff, queryFn: unauthenticated, retry: false })
      .catch(() => {});
    expect(client.getQueryData(queryKeys.adminMe)).toBeNull();
    expect(client.getQueryData(queryKeys.me)).toEqual({ id: "a1" });
  });

  it("clears the applicant session when a portal query answers 401", async () => {
    const client = createQueryClient();
    client.setQueryData(queryKeys.me, { id: "a1" });
    await client.fetchQuery({ queryKey: ["orders"], queryFn: unauthenticated, retry: false }).catch(() => {});
    expect(client.getQueryData(queryKeys.me)).toBeNull();
  });

  it("keeps the session on other errors", async () => {
    const client = createQueryClient();
    client.setQueryData(queryKeys.adminMe, { id: "s1" });
    const forbidden = () =>
      Promise.reject(new ApiError({ status: 403, code: "FORBIDDEN", detail: "无权限" }));
    await client.fetchQuery({ queryKey: queryKeys.staff, queryFn: forbidden, retry: false }).catch(() => {});
    expect(client.getQueryData(queryKeys.adminMe)).toEqual({ id: "s1" });
  });

  it("does not retry a 4xx but does retry a network failure", () => {
    const client = createQueryClient();
    const retry = client.getDefaultOptions().queries?.retry as (n: number, e: unknown) => boolean;
    expect(retry(0, new ApiError({ status: 404, code: "NOT_FOUND", detail: "x" }))).toBe(false);
    expect(retry(0, new ApiError({ status: 0, code: "network_error", detail: "x" }))).toBe(true);
    expect(retry(2, new ApiError({ status: 503, code: "http_503", detail: "x" }))).toBe(false);
  });
});
