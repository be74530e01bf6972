import { TokenError } from "./errors";
import { platformUrl, postJson } from "./platform";
import { checkOneTimeCode } from "./renew";
import { readToken, resetUserPin, type TokenTarget } from "./token";

/**
 * The platform's 解锁 endpoints (`…/unlock`, then `…/unlock/done`). The one-time code travels in the
 * JSON body with the token's serial, never in the URL, so no access log or proxy on the way keeps it.
 */
export const UNLOCK_PATH = "/api/v1/unlock";

/** Bounds of a new user PIN, whatever a token would accept beyond them. */
export const NEW_PIN_MIN = 4;
export const NEW_PIN_MAX = 16;

const SERVICE = "解锁服务";
const AGAIN = "请稍后用同一一次性码和同一新 PIN 码重新办理";

export interface UnlockOptions {
  /** The platform's base URL, e.g. https://platform.example; the path is appended. */
  url: string;
  /** The one-time code from the order page: it is the whole authorisation, so no other header. */
  code: string;
  /** The user PIN the token gets; the holder should change it afterwards. */
  newPin: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface UnlockResult {
  /** CK_TOKEN_INFO serialNumber, as sent to the platform. */
  tokenSerial: string;
}

/** The new user PIN's length, checked before anything else happens. */
export function checkNewPin(newPin: string, min = NEW_PIN_MIN, max = NEW_PIN_MAX): void {
  const length = [...newPin].length;
  if (length < min || length > max) {
    throw new TokenError("PIN_LENGTH", `新 PIN 码（--new-pin）长度须为 ${min}–${max} 位`);
  }
}

/** The same error with every occurrence of the secret masked, and no cause that might hold it. */
function withoutSecret(error: unknown, secret: string, prefix: string): TokenError {
  const mask = (text: string) => (secret ? text.split(secret).join("***") : text);
  if (error instanceof TokenError) {
    return new TokenError(
      error.code,
      mask(`${prefix}${error.message}`),
      error.detail === undefined ? undefined : mask(error.detail),
    );
  }
  return new TokenError("UNLOCK_FAILED", mask(`${prefix}${String(error)}`));
}

/**
 * 解锁 with a one-time code (DESIGN §5): the platform checks that the code's order is for this token
 * (by its serial number) and answers the token's SO PIN; the SO PIN sets a new user PIN
 * (C_InitPIN, which also clears the lock); then the platform is told that the unlock is done.
 * The SO PIN lives only in this function: it is never returned, logged or put into an error.
 */
export async function unlockToken(target: TokenTarget, options: UnlockOptions): Promise<UnlockResult> {
  checkNewPin(options.newPin);
  const code = checkOneTimeCode(options.code);
  platformUrl(options.url, UNLOCK_PATH, "UNLOCK_FAILED");
  const token = readToken(target);
  // A PIN the token would refuse must fail here, before the platform hands out its SO PIN.
  checkNewPin(
    options.newPin,
    Math.max(NEW_PIN_MIN, token.minPinLength),
    Math.min(NEW_PIN_MAX, token.maxPinLength || NEW_PIN_MAX),
  );
  const tokenSerial = token.serialNumber;
  if (!tokenSerial) {
    throw new TokenError("UNLOCK_FAILED", "介质没有序列号，无法在线解锁，请到办理网点处理");
  }
  const request = { fetch: options.fetch, timeoutMs: options.timeoutMs, url: options.url };

  const answer = await postJson({
    ...request,
    path: UNLOCK_PATH,
    body: { code, tokenSerial },
    errorCode: "UNLOCK_FAILED",
    action: "解锁",
    service: SERVICE,
  });
  const soPin = answer.soPin;
  if (typeof soPin !== "string" || soPin === "") {
    throw new TokenError("UNLOCK_FAILED", `${SERVICE}的应答中没有管理员 PIN`);
  }

  try {
    resetUserPin(target, soPin, options.newPin);
  } catch (error) {
    // The platform is not told "done": the code stays usable once the cause is fixed.
    throw withoutSecret(error, soPin, "重置 PIN 码失败，解锁未完成：");
  }

  let done: Record<string, unknown>;
  try {
    done = await postJson({
      ...request,
      path: `${UNLOCK_PATH}/done`,
      body: { code, tokenSerial },
      errorCode: "UNLOCK_FAILED",
      action: "通知平台解锁完成",
      service: SERVICE,
    });
  } catch (error) {
    const failed = withoutSecret(error, soPin, "新 PIN 码已生效，但");
    throw new TokenError(failed.code, `${failed.message}；${AGAIN}`, failed.detail);
  }
  if (done.ok !== true) {
    throw new TokenError("UNLOCK_FAILED", `新 PIN 码已生效，但${SERVICE}未确认解锁完成；${AGAIN}`);
  }
  return { tokenSerial };
}
