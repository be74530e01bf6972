import { describe, expect, it } from "vitest";
import { httpUrl, sameOriginPath } from "./safe-url";

const ORIGIN = "https://certhall.example";

describe("sameOriginPath", () => {
  it("keeps a path with its query and hash", () => {
    expect(sameOriginPath("/orders/1?tab=pay#top", ORIGIN)).toBe("/orders/1?tab=pay#top");
  });

  it("refuses addresses that lead to another host, however they are spelled", () => {
    for (const raw of [
      "//evil.example/x",
      "/\\evil.example",
      "/\t/evil.example",
      "/\n/evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "evil.example",
    ]) {
      expect(sameOriginPath(raw, ORIGIN)).toBeNull();
    }
  });

  it("answers null for nothing", () => {
    expect(sameOriginPath(null, ORIGIN)).toBeNull();
    expect(sameOriginPath("", ORIGIN)).toBeNull();
  });
});

describe("httpUrl", () => {
  it("accepts an external https cashier and resolves a relative one against the origin", () => {
    expect(httpUrl("https://pay.example/c?id=1", ORIGIN)).toBe("https://pay.example/c?id=1");
    expect(httpUrl("/api/v1/payments/mock/1", ORIGIN)).toBe(`${ORIGIN}/api/v1/payments/mock/1`);
  });

  it("refuses scripts, data and other schemes", () => {
    expect(httpUrl("javascript:alert(document.cookie)", ORIGIN)).toBeNull();
    expect(httpUrl(" JavaScript:alert(1)", ORIGIN)).toBeNull();
    expect(httpUrl("data:text/html,<script>1</script>", ORIGIN)).toBeNull();
    expect(httpUrl("vbscript:x", ORIGIN)).toBeNull();
    expect(httpUrl("", ORIGIN)).toBeNull();
  });
});
