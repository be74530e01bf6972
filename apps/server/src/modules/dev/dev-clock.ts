// The development server's movable clock (GET/POST /api/v1/dev/clock). A browser walk of a business that
// depends on a date (延期 opens 90 days before a certificate's end) moves the app's clock there, as the
// server tests do with their test clock: the app's services read the moved time, the CA keeps the real
// time. It exists only under the dev SMS outbox's guard (SMS_PROVIDER=dev and NODE_ENV not production):
// buildApp ignores it otherwise, so a production server can never be moved.
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Config } from "../../config";
import type { Clock } from "../../lib/clock";

export interface DevClock {
  /** The system time plus the offset: time keeps running after a move. */
  clock: Clock;
  /** Moves the clock so that it reads `at` now; null goes back to the system time. */
  set(at: Date | null): void;
  offsetMs(): number;
}

export function createDevClock(): DevClock {
  let offset = 0;
  return {
    clock: () => new Date(Date.now() + offset),
    set: (at) => {
      offset = at ? at.getTime() - Date.now() : 0;
    },
    offsetMs: () => offset,
  };
}

/** The same guard as the dev SMS outbox: never in production, only with the dev SMS provider. */
export function devToolsAllowed(config: Pick<Config, "env" | "sms">): boolean {
  return config.sms.provider === "dev" && config.env !== "production";
}

const ClockView = z.object({ now: z.string(), offsetMs: z.number() });

export function devClockRoutes(deps: { devClock: DevClock }) {
  const view = () => ({ now: deps.devClock.clock().toISOString(), offsetMs: deps.devClock.offsetMs() });
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    r.get(
      "/dev/clock",
      {
        schema: {
          tags: ["dev"],
          summary:
            "Development clock: the app's current time (only with SMS_PROVIDER=dev, never in production)",
          response: { 200: ClockView },
        },
      },
      async () => view(),
    );
    r.post(
      "/dev/clock",
      {
        schema: {
          tags: ["dev"],
          summary:
            "Moves the development clock to `at` (null: back to the system time); the CA keeps the real time",
          body: z.object({ at: z.iso.datetime({ offset: true }).nullable() }),
          response: { 200: ClockView },
        },
      },
      async (req) => {
        deps.devClock.set(req.body.at ? new Date(req.body.at) : null);
        req.log.warn({ now: deps.devClock.clock().toISOString() }, "dev clock moved");
        return view();
      },
    );
  };
}
