import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requestMeta } from "../../lib/http";
import { requireStaff, type SecurityDeps } from "../../plugins/security";
import type { SettingsService } from "./settings.service";

const zSettings = z.object({ renewalWindowDays: z.number(), renewalKeepsPredecessor: z.boolean() });

export function settingsRoutes(deps: SecurityDeps & { settings: SettingsService }) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { settings } = deps;
    const manage = requireStaff(deps, "settings.manage");
    const tags = ["settings"];

    r.get(
      "/settings",
      {
        schema: {
          tags,
          summary: "Public platform settings: the renewal window (延期 from this many days before expiry)",
          response: { 200: zSettings },
        },
      },
      async () => settings.get(),
    );

    r.get(
      "/admin/settings",
      {
        preHandler: manage,
        schema: { tags, summary: "Platform settings (admin)", response: { 200: zSettings } },
      },
      async () => settings.get(),
    );

    r.put(
      "/admin/settings",
      {
        preHandler: manage,
        schema: {
          tags,
          summary:
            "Edit platform settings (admin, audited); the window is 1 to 365 days; renewalKeepsPredecessor: a 延期 keeps the old certificate valid",
          // The bounds are checked by the service, with a message naming the field.
          body: z.object({
            renewalWindowDays: z.unknown().optional(),
            renewalKeepsPredecessor: z.unknown().optional(),
          }),
          response: { 200: zSettings },
        },
      },
      async (req) =>
        settings.update(
          { type: "staff", id: req.staffSession!.staff.id },
          {
            renewalWindowDays: req.body.renewalWindowDays,
            renewalKeepsPredecessor: req.body.renewalKeepsPredecessor,
          },
          requestMeta(req),
        ),
    );
  };
}
