import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../../db/database";
import { listOutbox } from "./sms.outbox";

/** The dev outbox: registered only when SMS_PROVIDER=dev, so in production the route does not exist. */
export function devSmsRoutes(deps: { db: Db }) {
  return async (app: FastifyInstance) => {
    app.withTypeProvider<ZodTypeProvider>().get(
      "/dev/sms-outbox",
      {
        schema: {
          tags: ["dev"],
          summary: "Development SMS outbox (only with SMS_PROVIDER=dev)",
          response: {
            200: z.object({
              messages: z.array(
                z.object({
                  id: z.string(),
                  phone: z.string(),
                  text: z.string(),
                  createdAt: z.string(),
                  status: z.string(),
                }),
              ),
            }),
          },
        },
      },
      async () => ({
        messages: (await listOutbox(deps.db)).map((m) => ({
          id: m.id,
          phone: m.phone,
          text: m.text,
          createdAt: m.created_at,
          status: m.status,
        })),
      }),
    );
  };
}
