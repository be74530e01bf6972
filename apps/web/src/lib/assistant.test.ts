import { describe, expect, it } from "vitest";
import { ASSISTANT_PORT, assistantCommand, assistantPorts } from "./assistant";

describe("finding 证书助手", () => {
  it("tries the fixed port and its fallback range, in order", () => {
    const ports = assistantPorts(null);
    expect(ports).toHaveLength(10);
    expect(ports[0]).toBe(ASSISTANT_PORT);
    expect(ports.at(-1)).toBe(ASSISTANT_PORT + 9);
  });

  it("tries a saved port first, once, and ignores one that is no port", () => {
    expect(assistantPorts("40123").slice(0, 2)).toEqual([40123, ASSISTANT_PORT]);
    expect(assistantPorts(String(ASSISTANT_PORT + 3))).toHaveLength(10);
    expect(assistantPorts(String(ASSISTANT_PORT + 3))[0]).toBe(ASSISTANT_PORT + 3);
    for (const bad of ["0", "70000", "abc", "12.5", ""]) expect(assistantPorts(bad)[0]).toBe(ASSISTANT_PORT);
  });

  it("gives the install command for this portal's origin", () => {
    expect(assistantCommand("https://hall.example.cn")).toBe(
      "npx certhall-assistant --origin https://hall.example.cn",
    );
  });
});
