import pkcs11js from "pkcs11js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TokenError } from "./errors";
import { deleteKey, findKey, generateKeyPair, keyIdFromSpki, listKeys, publicKeySpki } from "./keys";
import { createSoftHsm, type SoftHsm } from "./testing/softhsm";
import { changeUserPin, loginError, openToken, resetUserPin, type TokenSession } from "./token";

const SO_PIN = "87654321";
const PIN = "123456";

let hsm: SoftHsm;
const open: TokenSession[] = [];

function closeAll(): void {
  for (const s of open.splice(0)) s.close();
}

function session(tokenLabel = "keys", pin = PIN): TokenSession {
  const s = openToken({ modulePath: hsm.modulePath, tokenLabel, pin });
  open.push(s);
  return s;
}

async function rejection(fn: () => unknown): Promise<TokenError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError);
    return error as TokenError;
  }
  throw new Error("expected a TokenError");
}

beforeAll(() => {
  hsm = createSoftHsm();
  hsm.initToken("keys", { soPin: SO_PIN, pin: PIN });
  hsm.initToken("unlock", { soPin: SO_PIN, pin: PIN });
});

afterEach(closeAll);
afterAll(() => hsm?.remove());

describe("openToken", () => {
  it("opens the token by label and reports what it is", () => {
    const s = session();
    expect(s.token.label).toBe("keys");
    expect(s.token.manufacturer).toBe("SoftHSM project");
    expect(s.token.minPinLength).toBeGreaterThan(0);
  });

  it("opens the token by slot number as well", () => {
    const bySlot = session();
    const slotId = bySlot.slot.readBigUInt64LE(0);
    bySlot.close();
    const s = openToken({ modulePath: hsm.modulePath, slot: slotId, pin: PIN });
    open.push(s);
    expect(s.token.label).toBe("keys");
  });

  it("refuses a wrong PIN with a Chinese message and a stable code", async () => {
    const error = await rejection(() => session("keys", "000000"));
    expect(error.code).toBe("PIN_INCORRECT");
    expect(error.message).toBe("PIN 码错误，连续输错多次将锁定介质");
  });

  it("names the missing token when no token has the label", async () => {
    const error = await rejection(() => session("nope"));
    expect(error.code).toBe("TOKEN_NOT_FOUND");
    expect(error.message).toContain("“nope”");
  });

  it("says the driver cannot be loaded when the module path is wrong", async () => {
    const error = await rejection(() =>
      openToken({ modulePath: "/nonexistent/lib.so", tokenLabel: "keys", pin: PIN }),
    );
    expect(error.code).toBe("MODULE_LOAD_FAILED");
    expect(error.message).toContain("无法加载 PKCS#11 驱动库");
  });

  it("refuses a second login on a token this process is already logged in to", async () => {
    session();
    const error = await rejection(() => session());
    expect(error.code).toBe("TOKEN_BUSY");
  });

  it("finalises the library after the last session so a new open starts clean", () => {
    session().close();
    open.length = 0;
    expect(session().token.label).toBe("keys");
  });
});

describe("generateKeyPair", () => {
  it("makes a P-256 key whose private half is sensitive and never extractable", async () => {
    const s = session();
    const key = await generateKeyPair(s, { label: "ec-key", algorithm: "ecdsa-p256" });
    expect(key.algorithm).toBe("ecdsa-p256");
    const attrs = s.pkcs11.C_GetAttributeValue(s.handle, key.privateKey, [
      { type: pkcs11js.CKA_SENSITIVE },
      { type: pkcs11js.CKA_EXTRACTABLE },
      { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
      { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
      { type: pkcs11js.CKA_TOKEN },
    ]);
    expect(attrs.map((a) => a.value[0])).toEqual([1, 0, 1, 1, 1]);
    expect(() =>
      s.pkcs11.C_GetAttributeValue(s.handle, key.privateKey, [{ type: pkcs11js.CKA_VALUE }]),
    ).toThrow(/CKR_ATTRIBUTE_SENSITIVE/);
  });

  it("gives the key pair the RFC 5280 key identifier as CKA_ID by default", async () => {
    const s = session();
    const key = await generateKeyPair(s, { label: "ski-key" });
    const expected = keyIdFromSpki(publicKeySpki(s, key));
    expect(key.id.equals(expected)).toBe(true);
    expect(findKey(s, { label: "ski-key" }).id.equals(expected)).toBe(true);
  });

  it("makes an RSA 2048 key with the requested id", async () => {
    const s = session();
    const key = await generateKeyPair(s, { label: "rsa-key", algorithm: "rsa-2048", id: "a1b2c3" });
    expect(key.algorithm).toBe("rsa-2048");
    expect(key.id.toString("hex")).toBe("a1b2c3");
    expect(findKey(s, { id: "a1:b2:c3" }).label).toBe("rsa-key");
  });

  it("keeps the keys on the token across sessions", async () => {
    const s = session();
    await generateKeyPair(s, { label: "persistent" });
    s.close();
    open.length = 0;
    expect(listKeys(session()).map((k) => k.label)).toContain("persistent");
  });

  it("refuses a label that is already taken", async () => {
    const s = session();
    await generateKeyPair(s, { label: "taken" });
    const error = await rejection(() => generateKeyPair(s, { label: "taken" }));
    expect(error.code).toBe("KEY_EXISTS");
    expect(error.message).toBe("介质中已有标签为“taken”的密钥");
  });

  it("deletes both halves of a key pair", async () => {
    const s = session();
    const key = await generateKeyPair(s, { label: "doomed" });
    deleteKey(s, key);
    const error = await rejection(() => findKey(s, { label: "doomed" }));
    expect(error.code).toBe("KEY_NOT_FOUND");
  });
});

describe("resetUserPin and changeUserPin", () => {
  const target = () => ({ modulePath: hsm.modulePath, tokenLabel: "unlock" });

  it("sets a new user PIN with the SO PIN, after which the old PIN no longer opens the token", async () => {
    resetUserPin(target(), SO_PIN, "246810");
    expect(session("unlock", "246810").token.label).toBe("unlock");
    closeAll();
    const error = await rejection(() => session("unlock", PIN));
    expect(error.code).toBe("PIN_INCORRECT");
  });

  it("refuses a wrong SO PIN and leaves the user PIN alone", async () => {
    resetUserPin(target(), SO_PIN, "135790");
    const error = await rejection(() => resetUserPin(target(), "11111111", "000000"));
    expect(error.code).toBe("SO_PIN_INCORRECT");
    expect(error.message).toBe("管理员 PIN（SO PIN）错误");
    expect(session("unlock", "135790").token.label).toBe("unlock");
  });

  it("refuses a new PIN shorter than the token allows", async () => {
    const error = await rejection(() => resetUserPin(target(), SO_PIN, "12"));
    expect(error.code).toBe("PIN_LENGTH");
    expect(error.message).toMatch(/^新 PIN 码长度须为 4–\d+ 位$/);
  });

  it("lets the holder change the PIN and checks the old one", async () => {
    resetUserPin(target(), SO_PIN, "111222");
    const s = session("unlock", "111222");
    const wrong = await rejection(() => changeUserPin(s, "999999", "333444"));
    expect(wrong.code).toBe("PIN_INCORRECT");
    changeUserPin(s, "111222", "333444");
    closeAll();
    expect(session("unlock", "333444").token.label).toBe("unlock");
  });
});

describe("loginError", () => {
  // SoftHSM2 never locks a PIN, so the lock-related answers are checked against token flags directly.
  const failed = (code: number) =>
    new pkcs11js.Pkcs11Error(
      `${code === pkcs11js.CKR_PIN_LOCKED ? "CKR_PIN_LOCKED" : "CKR_PIN_INCORRECT"}:${code}`,
      code,
    );
  const withFlags = (flags: number) => ({ C_GetTokenInfo: () => ({ flags }) as pkcs11js.TokenInfo });
  const slot = Buffer.alloc(8);

  it("warns when the next wrong PIN locks the token", () => {
    const error = loginError(
      withFlags(pkcs11js.CKF_USER_PIN_FINAL_TRY),
      slot,
      pkcs11js.CKU_USER,
      failed(pkcs11js.CKR_PIN_INCORRECT),
    );
    expect(error.code).toBe("PIN_INCORRECT");
    expect(error.message).toBe("PIN 码错误，仅剩最后一次尝试机会，再错将锁定介质");
  });

  it("sends the holder to the unlock business once the PIN is locked", () => {
    const byFlag = loginError(
      withFlags(pkcs11js.CKF_USER_PIN_LOCKED),
      slot,
      pkcs11js.CKU_USER,
      failed(pkcs11js.CKR_PIN_INCORRECT),
    );
    const byCode = loginError(withFlags(0), slot, pkcs11js.CKU_USER, failed(pkcs11js.CKR_PIN_LOCKED));
    for (const error of [byFlag, byCode]) {
      expect(error.code).toBe("PIN_LOCKED");
      expect(error.message).toBe("PIN 码已锁定，请办理“解锁”业务");
    }
  });

  it("keeps the CKR name of an unexpected failure", () => {
    const error = loginError(
      withFlags(0),
      slot,
      pkcs11js.CKU_USER,
      new pkcs11js.Pkcs11Error("CKR_DEVICE_ERROR:48", 48),
    );
    expect(error.code).toBe("TOKEN_ERROR");
    expect(error.message).toBe("登录介质失败（CKR_DEVICE_ERROR）");
  });
});
