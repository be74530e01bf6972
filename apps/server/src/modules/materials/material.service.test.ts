import { describe, expect, it } from "vitest";
import { rejectionNote, slotLabel } from "./material.service";

describe("rejectionNote", () => {
  const licence = { subjectId: "s", code: "business_licence_copy", part: "", reason: "不清晰" };
  const idBack = { subjectId: "s", code: "handler_id_copy", part: "back", reason: "缺失国徽面" };

  it("names each returned material in the subject kind's wording, after the reviewer's own note", () => {
    expect(rejectionNote({ subject_kind: "company" }, [licence, idBack], " 请补充 ")).toBe(
      "请补充；营业执照副本复印件（加盖公章）：不清晰；经办人身份证复印件（国徽面）：缺失国徽面",
    );
    expect(rejectionNote({ subject_kind: "company" }, [licence])).toBe(
      "营业执照副本复印件（加盖公章）：不清晰",
    );
  });

  it("stays within the order note's 500 characters", () => {
    const many = Array.from({ length: 60 }, () => ({ ...licence, reason: "很".repeat(200) }));
    expect(rejectionNote({ subject_kind: "company" }, many)).toHaveLength(500);
  });

  it("labels the two sides of an ID card", () => {
    expect(slotLabel({ zh: "本人身份证复印件" }, "front")).toBe("本人身份证复印件（人像面）");
    expect(slotLabel({ zh: "数字证书申请表" }, "")).toBe("数字证书申请表");
  });
});
