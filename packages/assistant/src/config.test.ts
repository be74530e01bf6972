import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_PORT, loadConfig } from "./config";

describe("certhall-assistant configuration", () => {
  it("needs at least one portal origin and names where to give it", () => {
    expect(() => loadConfig([], {})).toThrow(/ASSISTANT_ORIGINS/);
  });

  it("takes origins from flags before the environment, normalised as browsers send them", () => {
    const c = loadConfig(["--origin", "https://Hall.example.cn/", "--origin=http://127.0.0.1:3000"], {
      ASSISTANT_ORIGINS: "https://ignored.example",
    });
    expect(c.origins).toEqual(["https://hall.example.cn", "http://127.0.0.1:3000"]);
    expect(c.port).toBe(DEFAULT_PORT);
    expect(loadConfig([], { ASSISTANT_ORIGINS: "https://a.example, https://b.example" }).origins).toEqual([
      "https://a.example",
      "https://b.example",
    ]);
  });

  it("refuses an origin with a path, credentials or another scheme, and a bad port", () => {
    for (const origin of [
      "https://hall.example.cn/portal",
      "https://u:p@hall.example.cn",
      "file:///x",
      "hall",
    ]) {
      expect(() => loadConfig(["--origin", origin], {})).toThrow(ConfigError);
    }
    expect(() => loadConfig(["--origin", "https://a.example", "--port", "70000"], {})).toThrow(/端口/);
  });
});
