import { describe, expect, it } from "vitest";
import { BUSINESS_CODES } from "./business-types";
import { availableEvents, decideTransition, expectedPath, ORDER_STATES, ORDER_TRANSITIONS } from "./orders";

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
