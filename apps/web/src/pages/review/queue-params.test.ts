import { composeReason } from "@certhall/domain";
import { describe, expect, it } from "vitest";
import { filtersFrom, filtersToQuery, formatWaited } from "../../api/queues";
import { parseQueueParams } from "./queue-params";

describe("review queue URL", () => {
  it("defaults to 待审核 and keeps a known tab", () => {
    expect(parseQueueParams(new URLSearchParams(""))).toEqual({ tab: "submitted" });
    expect(parseQueueParams(new URLSearchParams("tab=returned"))).toEqual({ tab: "returned" });
  });

  it("ignores a state that is not a reviewer's tab", () => {
    expect(parseQueueParams(new URLSearchParams("tab=completed"))).toEqual({ tab: "submitted" });
  });

  it("keeps the queue's filters and drops empty or unknown ones", () => {
    const f = filtersFrom(new URLSearchParams("business=new&q=%20XZ2025%20&minFen=&evil=1"));
    expect(f).toEqual({ business: "new", q: "XZ2025" });
    expect(filtersToQuery(f)).toBe("business=new&q=XZ2025");
  });

  it("says how long an order waited as a person says it", () => {
    expect(formatWaited(45)).toBe("45 分钟");
    expect(formatWaited(125)).toBe("2 小时 5 分钟");
    expect(formatWaited(3 * 1440 + 120, true)).toBe("3 d 2 h");
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
