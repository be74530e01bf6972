import { describe, expect, it } from "vitest";
import { normaliseField, splitProblem } from "./problem-fields";

const problem = (p: { field?: string; errors?: { field: string; message: string }[]; detail: string }) => ({
  field: p.field,
  errors: p.errors ?? [],
  detail: p.detail,
});

describe("normaliseField", () => {
  it("reduces body paths and JSON pointers to the form's field name", () => {
    expect(normaliseField("body.phone")).toBe("phone");
    expect(normaliseField("/newPassword")).toBe("newPassword");
    expect(normaliseField("code")).toBe("code");
  });
});

describe("splitProblem", () => {
  it("puts a problem with a known field on that field and shows no toast", () => {
    const r = splitProblem(problem({ field: "code", detail: "验证码错误" }), ["phone", "code"]);
    expect(r).toEqual({ fields: [{ name: "code", errors: ["验证码错误"] }], message: null });
  });

  it("shows the detail as a toast when the field is not on this form", () => {
    const r = splitProblem(problem({ field: "account", detail: "账户已被锁定" }), ["phone", "password"]);
    expect(r).toEqual({ fields: [], message: "账户已被锁定" });
  });

  it("spreads errors[] over several fields and keeps the ones it cannot place", () => {
    const r = splitProblem(
      problem({
        detail: "请求参数有误",
        errors: [
          { field: "body.phone", message: "手机号格式错误" },
          { field: "body.password", message: "密码太短" },
          { field: "body.extra", message: "不允许的字段" },
        ],
      }),
      ["phone", "password"],
    );
    expect(r.fields).toEqual([
      { name: "phone", errors: ["手机号格式错误"] },
      { name: "password", errors: ["密码太短"] },
    ]);
    expect(r.message).toBe("不允许的字段");
  });

  it("does not repeat the detail when errors[] already names the same field", () => {
    const r = splitProblem(
      problem({
        field: "phone",
        detail: "手机号已注册",
        errors: [{ field: "phone", message: "手机号已注册" }],
      }),
      ["phone"],
    );
    expect(r.fields).toEqual([{ name: "phone", errors: ["手机号已注册"] }]);
  });
});
