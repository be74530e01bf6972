import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, auditActionGroup, auditActionsOf, auditChanges } from "./audit-actions";
import { ORDER_EVENTS } from "./orders";

const SERVER = fileURLToPath(new URL("../../../apps/server/src", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((f) => {
    const p = join(dir, f.name);
    if (f.isDirectory()) return f.name === "test" ? [] : sources(p);
    return /\.ts$/.test(f.name) && !/\.test\.ts$|test-support\.ts$/.test(f.name) ? [p] : [];
  });
}

/**
 * The action codes the server writes: dotted string literals on or up to five lines after an
 * `action` field or an audit helper's call (appendAudit, appendAuditEntries, audit(, audited(, the
 * revocation's AUDIT_ACTION map), plus the two computed families: order.<event> and <actor>.locked.
 */
function writtenActions(): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of sources(SERVER)) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const context = lines.slice(Math.max(0, i - 5), i + 1).join(" ");
      if (!/\baction\b|appendAudit|audit(ed)?\(|AUDIT_ACTION/.test(context)) return;
      for (const m of line.matchAll(/"([a-z][a-z_]*(?:\.[a-z][a-z_-]*)+)"/g))
        found.set(m[1]!, relative(SERVER, file));
    });
  }
  for (const e of ORDER_EVENTS) found.set(`order.${e}`, "modules/orders/order.transition.ts");
  for (const who of ["account", "staff"]) found.set(`${who}.locked`, "lib/lockout.ts");
  return found;
}

describe("audit action names", () => {
  const written = writtenActions();

  it("finds the server's actions (the scan itself works)", () => {
    expect(written.get("settings.update")).toBe("modules/settings/settings.service.ts");
    expect(written.get("material.upload")).toBe("modules/materials/material.service.ts");
    expect(written.has("pki.certificate.revoked")).toBe(true);
    expect(written.size).toBeGreaterThan(60);
  });

  it("names every action the server writes, in Chinese and English", () => {
    // Permission names and other dotted literals near the word "action" are not actions: none today.
    const unnamed = [...written].filter(([a]) => !AUDIT_ACTIONS[a]).map(([a, f]) => `${a} (${f})`);
    expect(unnamed).toEqual([]);
    for (const label of Object.values(AUDIT_ACTIONS)) {
      expect(label.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(label.en).toMatch(/^[A-Z]/);
    }
  });

  it("groups actions by prefix unless the action says otherwise", () => {
    expect(auditActionGroup("order.pay")).toBe("order");
    expect(auditActionGroup("window.update")).toBe("settings");
    expect(auditActionGroup("nobody.knows")).toBeNull();
    expect(auditActionsOf("settings")).toContain("calendar.put");
    expect(auditActionsOf("settings")).not.toContain("order.pay");
  });
});

describe("audit changes", () => {
  it("lists only changed fields, with their names, and cuts long values", () => {
    const long = "长".repeat(200);
    const changes = auditChanges({
      before: { name: "福州", phone: "0591-1", hours: { mon: "9-17" }, updated_at: "a" },
      after: { name: "福州", phone: "0591-2", hours: { mon: long }, updated_at: "b" },
    });
    expect(changes.map((c) => c.field)).toEqual(["电话", "营业时间"]);
    expect(changes[0]).toEqual({ field: "电话", before: "0591-1", after: "0591-2" });
    expect(changes[1]!.after.length).toBe(80);
    expect(changes[1]!.after.endsWith("…")).toBe(true);
  });

  it("shows an order step as a state change in Chinese", () => {
    expect(auditChanges({ orderNo: "X", from: "in_review", to: "awaiting_payment" })).toEqual([
      { field: "状态", before: "审核中", after: "待缴费" },
    ]);
    expect(auditChanges({ username: "admin" })).toEqual([]);
  });
});
