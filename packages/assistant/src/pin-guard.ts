import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TokenError } from "@certhall/token";

/**
 * Wrong user PINs in a row, per token serial, kept in a file so that restarting the assistant does
 * not reset them. A real USB key counts and locks by itself (CKF_USER_PIN_LOCKED, which the
 * assistant reports as it is); some tokens (SoftHSM2 among them) never lock, so the assistant stops
 * presenting PINs to a token after `max` failures until it is unlocked with an unlock code, which
 * is what a holder of a real key would meet too. Only counts are stored, never a PIN.
 */
export function createPinGuard(stateDir: string, max: number) {
  const file = join(stateDir, "pin-tries.json");

  function load(): Record<string, number> {
    try {
      const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
      return typeof data === "object" && data !== null ? (data as Record<string, number>) : {};
    } catch {
      return {};
    }
  }

  function save(counts: Record<string, number>) {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(counts), { mode: 0o600 });
    renameSync(tmp, file);
  }

  return {
    failures(serial: string): number {
      return load()[serial] ?? 0;
    },

    locked(serial: string): boolean {
      return (load()[serial] ?? 0) >= max;
    },

    /** Refuses before the PIN reaches the token when the token is locked by the assistant's count. */
    assertOpen(serial: string): void {
      if ((load()[serial] ?? 0) >= max) {
        throw new TokenError("PIN_LOCKED", "PIN 码已锁定，请办理“解锁”业务");
      }
    },

    /** Runs a PIN use and counts its outcome: a wrong PIN adds one, a right one clears the count. */
    async withPin<T>(serial: string, use: () => T | Promise<T>): Promise<T> {
      this.assertOpen(serial);
      try {
        const result = await use();
        if (load()[serial]) this.clear(serial);
        return result;
      } catch (error) {
        if (error instanceof TokenError && error.code === "PIN_INCORRECT") {
          const counts = load();
          const n = (counts[serial] ?? 0) + 1;
          counts[serial] = n;
          save(counts);
          if (n >= max)
            throw new TokenError("PIN_LOCKED", `PIN 码连续错误 ${max} 次，已锁定，请办理“解锁”业务`);
          throw new TokenError("PIN_INCORRECT", `PIN 码错误，还可尝试 ${max - n} 次，再错将锁定介质`);
        }
        throw error;
      }
    },

    clear(serial: string): void {
      const counts = load();
      delete counts[serial];
      save(counts);
    },
  };
}

export type PinGuard = ReturnType<typeof createPinGuard>;
