import { describe, expect, it } from "vitest";
import { currentCursor, firstPage, nextPage, pageNumber, prevPage } from "./keyset";

const seqs = (...n: number[]) => n.map((seq) => ({ seq }));

describe("audit keyset paging", () => {
  it("starts at the newest entries without a cursor", () => {
    expect(currentCursor(firstPage)).toBeUndefined();
    expect(pageNumber(firstPage)).toBe(1);
    expect(prevPage(firstPage)).toBeNull();
  });

  it("asks for entries before the oldest seq of a full page", () => {
    const p2 = nextPage(firstPage, seqs(100, 99, 98), 3);
    expect(p2 && currentCursor(p2)).toBe(98);
    expect(p2 && pageNumber(p2)).toBe(2);
  });

  it("has no next page after a page that was not full", () => {
    expect(nextPage(firstPage, seqs(2, 1), 3)).toBeNull();
  });

  it("goes back to exactly the cursor of the page seen before", () => {
    const p2 = nextPage(firstPage, seqs(9, 8), 2)!;
    const p3 = nextPage(p2, seqs(7, 6), 2)!;
    expect(currentCursor(prevPage(p3)!)).toBe(8);
  });
});
