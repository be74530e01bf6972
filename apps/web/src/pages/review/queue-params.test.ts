import { describe, expect, it } from "vitest";
import { composeReason } from "@certhall/domain";
import { parseQueueParams } from "./queue-params";

describe("review queue URL", () => {
  it("defaults to the first page of orders awaiting review", () => {
    expect(parseQueueParams(new URLSearchParams(""))).toEqual({ tab: "submitted", q: "", page: 1 });
  });

  it("keeps a known tab, the trimmed search and the page", () => {
    const p = parseQueueParams(new URLSearchParams("tab=returned&q=%20XZ2025%20&page=3"));
    expect(p).toEqual({ tab: "returned", q: "XZ2025", page: 3 });
  });

  it("ignores a state that is not a reviewer's tab and a page that is not a positive number", () => {
    expect(parseQueueParams(new URLSearchParams("tab=completed&page=-2"))).toEqual({
      tab: "submitted",
      q: "",
      page: 1,
    });
    expect(parseQueueParams(new URLSearchParams("page=abc")).page).toBe(1);
  });

  it("cuts the search to the 60 characters the server accepts", () => {
    expect(parseQueueParams(new URLSearchParams(`q=${"a".repeat(80)}`)).q).toHaveLength(60);
  });
});

describe("rejection reason", () => {
  it("joins quick picks and the free text with Chinese semicolons", () => {
    expect(composeReason(["营业执照不清晰", "经办人信息有误"], " 请重新上传 ")).toBe(
      "营业执照不清晰；经办人信息有误；请重新上传",
    );
  });

  it("is empty when nothing was picked or written", () => {
    expect(composeReason([], "   ")).toBe("");
    expect(composeReason([], undefined)).toBe("");
  });
});
