import { describe, expect, it } from "vitest";
import { BUSINESS_CODES, type BusinessCode } from "./business-types";
import type { ItemStep } from "./businesses";
import {
  availableEvents,
  decideAction,
  decideTransition,
  expectedPath,
  FINAL_ORDER_STATES,
  ORDER_STATES,
  ORDER_TRANSITIONS,
} from "./orders";

describe("the order machine", () => {
  it("sends a new-certificate order through review before payment", () => {
    expect(decideTransition("draft", "submit", "applicant", { business: "new" })).toEqual({
      ok: true,
      to: "submitted",
    });
    expect(decideTransition("submitted", "start_review", "reviewer", { business: "new" })).toEqual({
      ok: true,
      to: "in_review",
    });
    expect(decideTransition("in_review", "approve", "reviewer", { business: "new" })).toEqual({
      ok: true,
      to: "awaiting_payment",
    });
  });

  it("sends a business without review straight to payment", () => {
    expect(decideTransition("draft", "submit", "applicant", { business: "renew" })).toEqual({
      ok: true,
      to: "awaiting_payment",
    });
  });

  it("books every payment of a new-certificate order, online or transfer, before the receipt", () => {
    expect(
      decideTransition("awaiting_payment", "pay", "system", { business: "new", method: "online" }),
    ).toEqual({
      ok: true,
      to: "awaiting_booking",
    });
    expect(
      decideTransition("awaiting_payment", "declare_transfer", "applicant", {
        business: "new",
        method: "transfer",
      }),
    ).toEqual({
      ok: true,
      to: "awaiting_booking",
    });
    expect(decideTransition("awaiting_booking", "book", "finance", { business: "new" })).toEqual({
      ok: true,
      to: "awaiting_materials",
    });
  });

  it("books only bank transfers for renewals, and makes an online renewal usable at once", () => {
    expect(
      decideTransition("awaiting_payment", "pay", "system", { business: "renew", method: "online" }),
    ).toEqual({ ok: true, to: "ready" });
    expect(
      decideTransition("awaiting_payment", "declare_transfer", "applicant", {
        business: "renew",
        method: "transfer",
      }),
    ).toEqual({
      ok: true,
      to: "awaiting_booking",
    });
    expect(decideTransition("awaiting_booking", "book", "finance", { business: "renew" })).toEqual({
      ok: true,
      to: "ready",
    });
  });

  it("takes a zero payment for unlock and revoke, and refuses a zero payment for a paid business", () => {
    expect(
      decideTransition("awaiting_payment", "pay", "applicant", { business: "revoke", method: "zero" }),
    ).toEqual({
      ok: true,
      to: "awaiting_materials",
    });
    expect(
      decideTransition("awaiting_payment", "pay", "applicant", { business: "new", method: "zero" }).ok,
    ).toBe(false);
    expect(
      decideTransition("awaiting_payment", "declare_transfer", "applicant", {
        business: "unlock",
        method: "transfer",
      }).ok,
    ).toBe(false);
  });

  it("refuses a transition out of order with a Chinese reason", () => {
    const r = decideTransition("draft", "approve", "reviewer", { business: "new" });
    expect(r).toMatchObject({ ok: false, code: "WRONG_STATE" });
    if (!r.ok) expect(r.reason).toBe("订单当前状态为「草稿」，不能审核通过");
  });

  it("refuses an event from the wrong actor", () => {
    expect(decideTransition("in_review", "approve", "applicant", { business: "new" })).toMatchObject({
      ok: false,
      code: "WRONG_ACTOR",
    });
    expect(decideTransition("awaiting_booking", "book", "reviewer", { business: "new" })).toMatchObject({
      ok: false,
      code: "WRONG_ACTOR",
    });
  });

  it("needs a reason to reject, return a payment or refund", () => {
    expect(decideTransition("in_review", "reject", "reviewer", { business: "new" })).toMatchObject({
      ok: false,
      code: "NOTE_REQUIRED",
    });
    expect(
      decideTransition("in_review", "reject", "reviewer", { business: "new" }, "营业执照不清晰"),
    ).toEqual({ ok: true, to: "returned" });
  });

  it("lets the applicant edit a new order until review starts, but not after approval", () => {
    expect(decideTransition("submitted", "edit", "applicant", { business: "new" })).toEqual({
      ok: true,
      to: "submitted",
    });
    expect(decideTransition("in_review", "edit", "applicant", { business: "new" }).ok).toBe(false);
    expect(decideTransition("awaiting_payment", "edit", "applicant", { business: "new" }).ok).toBe(false);
    expect(decideTransition("awaiting_payment", "edit", "applicant", { business: "eseal" })).toEqual({
      ok: true,
      to: "awaiting_payment",
    });
  });

  it("gives every business a path from draft to completed made only of allowed transitions", () => {
    for (const business of BUSINESS_CODES) {
      for (const method of ["online", "transfer"] as const) {
        const path = expectedPath(business, method);
        expect(path[0]).toBe("draft");
        expect(path.at(-1)).toBe("completed");
        for (let i = 0; i + 1 < path.length; i++) {
          const from = path[i]!;
          const to = path[i + 1]!;
          const reachable = Object.values(ORDER_TRANSITIONS).some((spec) => spec.from.includes(from));
          expect(reachable, `${business}: ${from} has no way out`).toBe(true);
          expect(ORDER_STATES).toContain(to);
        }
      }
    }
  });

  it("offers the applicant the events the server would accept", () => {
    expect(availableEvents("awaiting_payment", "applicant", "new")).toEqual([
      "pay",
      "declare_transfer",
      "cancel",
    ]);
    expect(availableEvents("awaiting_payment", "applicant", "revoke")).toEqual(["edit", "pay", "cancel"]);
    expect(availableEvents("completed", "applicant", "new")).toEqual([]);
  });
});

describe("item steps (decideAction)", () => {
  it("lets each step run only in its states, for the businesses that allow it", () => {
    const allowed = (step: ItemStep, business: BusinessCode) =>
      ORDER_STATES.filter((s) => decideAction(s, step, business).ok);
    expect(allowed("issue", "new")).toEqual(["processing"]);
    expect(allowed("issue", "unlock")).toEqual([]);
    expect(allowed("set_media", "replace")).toEqual(["awaiting_materials", "processing"]);
    expect(allowed("receive_materials", "revoke")).toEqual(["awaiting_materials"]);
    expect(allowed("update_online", "renew")).toEqual(["ready"]);
    expect(allowed("update_online", "eseal")).toEqual([]);
    for (const b of BUSINESS_CODES) expect(allowed("start_payment", b)).toEqual(["awaiting_payment"]);
  });

  it("says why, as the window's refusals always have", () => {
    expect(decideAction("processing", "revoke", "unlock")).toEqual({
      ok: false,
      code: "NOT_APPLICABLE",
      reason: "该订单是「解锁」业务，不能注销证书",
    });
    expect(decideAction("processing", "issue", "eseal")).toMatchObject({
      reason: "「电子签章开通」业务不在窗口签发证书",
    });
    expect(decideAction("awaiting_materials", "issue", "new")).toEqual({
      ok: false,
      code: "WRONG_STATE",
      reason: "订单当前状态为「待收材料」，不能签发证书",
    });
    // A business that never reaches the window hears about the state, not the business.
    expect(decideAction("ready", "receive_materials", "renew")).toMatchObject({
      reason: "订单当前状态为「可在线办理」，不能登记材料",
    });
  });

  it("final states are the ones the state table marks final", () => {
    expect(FINAL_ORDER_STATES).toEqual(["completed", "cancelled", "refunded"]);
  });
});
