import { describe, expect, it } from "vitest";
import { nestedHandlerOrItem, placeProblems, resolveAmong } from "./form-errors";

describe("placeProblems with the 新证 rule", () => {
  it("places nested handler and item fields (also with the body. prefix), not top-level ones", () => {
    expect(
      placeProblems(
        {
          detail: "输入有误",
          errors: [
            { field: "body.handler.idNumber", message: "身份证号校验位错误" },
            { field: "items.1.caTypeId", message: "第 2 项：CA 类型不存在或已停售" },
            { field: "business", message: "「延期」业务暂未开放" },
          ],
        },
        nestedHandlerOrItem,
      ),
    ).toEqual({
      placed: [
        { name: ["handler", "idNumber"], errors: ["身份证号校验位错误"] },
        { name: ["items", 1, "caTypeId"], errors: ["第 2 项：CA 类型不存在或已停售"] },
      ],
      rest: true,
    });
  });

  it("falls back to the single field of a problem without errors[], and to a toast without a field", () => {
    expect(
      placeProblems({ field: "items.0.subjectId", detail: "主体不存在", errors: [] }, nestedHandlerOrItem),
    ).toEqual({ placed: [{ name: ["items", 0, "subjectId"], errors: ["主体不存在"] }], rest: false });
    expect(placeProblems({ detail: "服务器错误", errors: [] }, nestedHandlerOrItem)).toEqual({
      placed: [],
      rest: true,
    });
  });

  it("collects two messages for one input", () => {
    const r = placeProblems(
      {
        detail: "x",
        errors: [
          { field: "items.0.reason", message: "a" },
          { field: "items.0.reason", message: "b" },
        ],
      },
      resolveAmong([["items", 0, "reason"]]),
    );
    expect(r.placed).toEqual([{ name: ["items", 0, "reason"], errors: ["a", "b"] }]);
  });
});
