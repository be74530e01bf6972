import type { CaTypePrices } from "@certhall/domain";
import { describe, expect, it } from "vitest";
import {
  fieldPath,
  liveFees,
  newClientToken,
  ORDER_TABS,
  paymentPollInterval,
  returnedFromCashier,
  tabStates,
  unlockCodeNotice,
} from "./logic";

const prices: CaTypePrices = {
  certFee: 10_000,
  mediaFee: 5_000,
  annualFee: 20_000,
  esealFee: 30_000,
  changeFee: 0,
  reissueFee: 0,
  replaceFee: 0,
};
const caTypes = [
  { id: "a", prices },
  { id: "b", prices: { ...prices, certFee: 0, annualFee: 1_000 } },
];

describe("liveFees", () => {
  it("prices a 新证 row as cert + media + annual × years + e-seal, like the server", () => {
    const { rows, total } = liveFees("new", [{ caTypeId: "a", years: 3, eseal: true }], caTypes);
    expect(rows[0]!.lines.map((l) => [l.code, l.amount])).toEqual([
      ["cert", 10_000],
      ["media", 5_000],
      ["annual", 60_000],
      ["eseal", 30_000],
    ]);
    expect(total).toBe(105_000);
  });

  it("adds the rows up and counts a row without a CA type as nothing", () => {
    const { rows, total } = liveFees(
      "new",
      [{ caTypeId: "a", years: 1 }, { years: 2 }, { caTypeId: "b", years: 2, eseal: false }],
      caTypes,
    );
    expect(rows.map((r) => r.total)).toEqual([35_000, 0, 7_000]);
    expect(total).toBe(42_000);
  });

  it("ignores a CA type that is not in the catalog any more", () => {
    expect(liveFees("new", [{ caTypeId: "gone", years: 1 }], caTypes).total).toBe(0);
  });
});

describe("order tabs", () => {
  it("puts submitted and in_review under 待审核", () => {
    expect(tabStates("review")).toEqual(["submitted", "in_review"]);
  });

  it("asks for every state on 全部 and on an unknown tab", () => {
    expect(tabStates("all")).toEqual([]);
    expect(tabStates("nonsense")).toEqual([]);
  });

  it("gives every non-draft state of the machine a tab", () => {
    const covered = new Set(ORDER_TABS.flatMap((t) => [...t.states]));
    for (const s of ["returned", "awaiting_payment", "awaiting_booking", "awaiting_materials", "completed"]) {
      expect(covered.has(s as never), s).toBe(true);
    }
  });
});

describe("fieldPath", () => {
  it("turns server field names into antd name paths", () => {
    expect(fieldPath("handler.idNumber")).toEqual(["handler", "idNumber"]);
    expect(fieldPath("body.items.1.years")).toEqual(["items", 1, "years"]);
    expect(fieldPath("/items/0/caTypeId")).toEqual(["items", 0, "caTypeId"]);
  });
});

describe("newClientToken", () => {
  it("makes a different token each time", () => {
    expect(newClientToken()).not.toBe(newClientToken());
  });
});

describe("payment confirmation polling", () => {
  it("polls every 2 s at first, then slower, while the order is still 待缴费", () => {
    expect(paymentPollInterval(undefined, 0)).toBe(2_000);
    expect(paymentPollInterval("awaiting_payment", 59_999)).toBe(2_000);
    expect(paymentPollInterval("awaiting_payment", 60_000)).toBe(5_000);
    expect(paymentPollInterval("awaiting_payment", 10 * 60_000)).toBe(15_000);
  });

  it("stops as soon as the order has left 待缴费", () => {
    expect(paymentPollInterval("awaiting_booking", 0)).toBe(false);
    expect(paymentPollInterval("awaiting_materials", 1_000)).toBe(false);
    expect(paymentPollInterval("cancelled", 1_000)).toBe(false);
  });

  it("recognises the cashier's return address and nothing else", () => {
    expect(returnedFromCashier(new URLSearchParams("payment=returned"))).toBe(true);
    expect(returnedFromCashier(new URLSearchParams("paid=1"))).toBe(true);
    expect(returnedFromCashier(new URLSearchParams("payment=other"))).toBe(false);
    expect(returnedFromCashier(new URLSearchParams(""))).toBe(false);
  });
});

describe("unlockCodeNotice", () => {
  const locked = (unlockCodeSentAt: string | null = null) => ({ details: null, unlockCodeSentAt });
  const unlocked = { details: { unlockedAt: "2026-11-20T02:00:00.000Z" }, unlockCodeSentAt: null };

  it("says the code will come while the window has not sent one, even though the order is processing", () => {
    expect(unlockCodeNotice([locked()])).toEqual({ kind: "later" });
  });

  it("says the code was sent, with the newest send time, once the window sent one", () => {
    expect(unlockCodeNotice([locked("2026-11-20T01:00:00.000Z")])).toEqual({
      kind: "sent",
      at: "2026-11-20T01:00:00.000Z",
    });
    expect(
      unlockCodeNotice([locked("2026-11-20T01:00:00.000Z"), locked("2026-11-20T03:00:00.000Z"), locked()]),
    ).toEqual({ kind: "sent", at: "2026-11-20T03:00:00.000Z" });
  });

  it("says nothing once every key is unlocked, and ignores codes of keys already unlocked", () => {
    expect(unlockCodeNotice([unlocked])).toBeNull();
    expect(
      unlockCodeNotice([{ ...unlocked, unlockCodeSentAt: "2026-11-20T01:00:00.000Z" }, locked()]),
    ).toEqual({
      kind: "later",
    });
  });
});
