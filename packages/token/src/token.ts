import pkcs11js from "pkcs11js";
import { asTokenError, pkcs11Code, TokenError } from "./errors";

type Handle = Buffer;

/** Which token to talk to: a slot id (as listed by C_GetSlotList) or the token label. */
export interface TokenTarget {
  /** Path of the vendor's PKCS#11 library, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  modulePath: string;
  slot?: number | bigint;
  tokenLabel?: string;
}

export interface OpenTokenOptions extends TokenTarget {
  /** The user PIN; without it the session sees only the token's public objects (certificates). */
  pin?: string;
}

export interface TokenInfo {
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  minPinLength: number;
  maxPinLength: number;
}

export interface TokenSession {
  readonly pkcs11: pkcs11js.PKCS11;
  readonly handle: Handle;
  readonly slot: Handle;
  readonly token: TokenInfo;
  /** Logs out and closes the session; the library is finalised when its last session closes. */
  close(): void;
}

// PKCS#11 v2.40 §5.4: C_Initialize may be called once per process and library until C_Finalize,
// so every open session shares one loaded module, counted by reference.
interface LoadedModule {
  pkcs11: pkcs11js.PKCS11;
  refs: number;
}
const modules = new Map<string, LoadedModule>();

function acquireModule(modulePath: string): LoadedModule {
  const existing = modules.get(modulePath);
  if (existing) {
    existing.refs++;
    return existing;
  }
  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(modulePath);
  } catch (error) {
    throw new TokenError(
      "MODULE_LOAD_FAILED",
      `无法加载 PKCS#11 驱动库：${modulePath}，请确认已安装介质驱动`,
      String(error),
      { cause: error },
    );
  }
  try {
    // The async pkcs11js calls run on libuv worker threads, so the library must do its own locking.
    pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (pkcs11Code(error) !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      pkcs11.close();
      throw new TokenError("MODULE_LOAD_FAILED", `PKCS#11 驱动库初始化失败：${modulePath}`, String(error), {
        cause: error,
      });
    }
  }
  const loaded = { pkcs11, refs: 1 };
  modules.set(modulePath, loaded);
  return loaded;
}

function releaseModule(modulePath: string): void {
  const loaded = modules.get(modulePath);
  if (!loaded) return;
  loaded.refs--;
  if (loaded.refs > 0) return;
  modules.delete(modulePath);
  try {
    loaded.pkcs11.C_Finalize();
  } finally {
    loaded.pkcs11.close();
  }
}

const trimmed = (s: string) => s.replace(/[\s\0]+$/, "");

function readTokenInfo(pkcs11: pkcs11js.PKCS11, slot: Handle): TokenInfo {
  const info = pkcs11.C_GetTokenInfo(slot);
  return {
    label: trimmed(info.label),
    manufacturer: trimmed(info.manufacturerID),
    model: trimmed(info.model),
    serialNumber: trimmed(info.serialNumber),
    minPinLength: info.minPinLen,
    maxPinLength: info.maxPinLen,
  };
}

function slotNumber(slot: Handle): bigint {
  // CK_SLOT_ID is a CK_ULONG, handed out by pkcs11js as a little-endian buffer.
  return slot.length >= 8 ? slot.readBigUInt64LE(0) : BigInt(slot.readUInt32LE(0));
}

function findSlot(pkcs11: pkcs11js.PKCS11, target: TokenTarget): Handle {
  if (target.slot === undefined && target.tokenLabel === undefined) {
    throw new TokenError("TOKEN_NOT_FOUND", "请指定介质的标签或槽位号");
  }
  const slots = pkcs11.C_GetSlotList(true);
  const found = slots.find((slot) => {
    if (target.slot !== undefined && slotNumber(slot) !== BigInt(target.slot)) return false;
    if (target.tokenLabel !== undefined && readTokenInfo(pkcs11, slot).label !== target.tokenLabel)
      return false;
    return true;
  });
  if (!found) {
    const which =
      target.tokenLabel !== undefined
        ? `标签为“${target.tokenLabel}”的介质`
        : `槽位 ${String(target.slot)} 上的介质`;
    throw new TokenError("TOKEN_NOT_FOUND", `未找到${which}，请确认 USB Key 已插入`);
  }
  return found;
}

/** The token's CK_TOKEN_INFO (label, serial number, PIN lengths); needs no PIN. */
export function readToken(target: TokenTarget): TokenInfo {
  const { pkcs11 } = acquireModule(target.modulePath);
  try {
    return readTokenInfo(pkcs11, findSlot(pkcs11, target));
  } catch (error) {
    throw asTokenError(error, "读取介质信息");
  } finally {
    releaseModule(target.modulePath);
  }
}

/** A reader (PKCS#11 slot) and what is inserted in it. */
export interface SlotInfo {
  /** CK_SLOT_ID as a decimal string (a CK_ULONG may exceed 2^53). */
  slot: string;
  description: string;
  /** The token in the reader, or undefined when the reader is empty. */
  token?: TokenInfo & {
    pinInitialized: boolean;
    /** CKF_USER_PIN_LOCKED: the token itself refuses the user PIN until 解锁. */
    pinLocked: boolean;
    /** CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks the token. */
    pinFinalTry: boolean;
  };
}

/** Every reader the library knows, with the token in it (CK_SLOT_INFO, CK_TOKEN_INFO); needs no PIN. */
export function listSlots(modulePath: string): SlotInfo[] {
  const { pkcs11 } = acquireModule(modulePath);
  try {
    return pkcs11.C_GetSlotList(false).map((slot) => {
      const info = pkcs11.C_GetSlotInfo(slot);
      const entry: SlotInfo = { slot: String(slotNumber(slot)), description: trimmed(info.slotDescription) };
      // PKCS#11 v2.40 §3.2: CKF_TOKEN_PRESENT = 0x1 (pkcs11js names no constant for it).
      if (!(info.flags & 0x1)) return entry;
      const flags = pkcs11.C_GetTokenInfo(slot).flags;
      // SoftHSM lists one free slot with an uninitialised token: it holds nothing usable.
      if (!(flags & pkcs11js.CKF_TOKEN_INITIALIZED)) return entry;
      entry.token = {
        ...readTokenInfo(pkcs11, slot),
        pinInitialized: (flags & pkcs11js.CKF_USER_PIN_INITIALIZED) !== 0,
        pinLocked: (flags & pkcs11js.CKF_USER_PIN_LOCKED) !== 0,
        pinFinalTry: (flags & pkcs11js.CKF_USER_PIN_FINAL_TRY) !== 0,
      };
      return entry;
    });
  } catch (error) {
    throw asTokenError(error, "读取读卡器列表");
  } finally {
    releaseModule(modulePath);
  }
}

/** Opens a read/write session on the token and logs the user in (with a PIN). Always close() it. */
export function openToken(options: OpenTokenOptions): TokenSession {
  const { pkcs11 } = acquireModule(options.modulePath);
  let handle: Handle | undefined;
  try {
    const slot = findSlot(pkcs11, options);
    const token = readTokenInfo(pkcs11, slot);
    handle = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    if (options.pin !== undefined) login(pkcs11, slot, handle, pkcs11js.CKU_USER, options.pin);
    const session = handle;
    let open = true;
    return {
      pkcs11,
      handle: session,
      slot,
      token,
      close() {
        if (!open) return;
        open = false;
        try {
          pkcs11.C_Logout(session);
        } catch {
          // Closing the session below ends the login anyway (PKCS#11 v2.40 §5.6).
        }
        try {
          pkcs11.C_CloseSession(session);
        } finally {
          releaseModule(options.modulePath);
        }
      },
    };
  } catch (error) {
    if (handle) {
      try {
        pkcs11.C_CloseSession(handle);
      } catch {
        // The original error is the one worth reporting.
      }
    }
    releaseModule(options.modulePath);
    throw asTokenError(error, "打开介质");
  }
}

function login(pkcs11: pkcs11js.PKCS11, slot: Handle, session: Handle, userType: number, pin: string): void {
  try {
    pkcs11.C_Login(session, userType, pin);
  } catch (error) {
    throw loginError(pkcs11, slot, userType, error);
  }
}

/** Maps a failed C_Login to what the holder should read. Exported for tests, not from the package. */
export function loginError(
  pkcs11: Pick<pkcs11js.PKCS11, "C_GetTokenInfo">,
  slot: Handle,
  userType: number,
  error: unknown,
): TokenError {
  const so = userType === pkcs11js.CKU_SO;
  switch (pkcs11Code(error)) {
    case pkcs11js.CKR_PIN_INCORRECT:
    case pkcs11js.CKR_PIN_LEN_RANGE: {
      if (so) return new TokenError("SO_PIN_INCORRECT", "管理员 PIN（SO PIN）错误", "CKR_PIN_INCORRECT");
      // CK_TOKEN_INFO flags (PKCS#11 v2.40 §5.2) say whether the next failure locks the PIN.
      // CKF_USER_PIN_COUNT_LOW only means "failed at least once", so it adds nothing to say.
      let warning = "，连续输错多次将锁定介质";
      try {
        const flags = pkcs11.C_GetTokenInfo(slot).flags;
        if (flags & pkcs11js.CKF_USER_PIN_LOCKED) {
          return new TokenError("PIN_LOCKED", "PIN 码已锁定，请办理“解锁”业务", "CKF_USER_PIN_LOCKED");
        }
        if (flags & pkcs11js.CKF_USER_PIN_FINAL_TRY) warning = "，仅剩最后一次尝试机会，再错将锁定介质";
      } catch {
        // Without token info the plain message still tells the user what is wrong.
      }
      return new TokenError("PIN_INCORRECT", `PIN 码错误${warning}`, "CKR_PIN_INCORRECT");
    }
    case pkcs11js.CKR_PIN_LOCKED:
      return so
        ? new TokenError("PIN_LOCKED", "管理员 PIN（SO PIN）已锁定，介质需由发证机构处理", "CKR_PIN_LOCKED")
        : new TokenError("PIN_LOCKED", "PIN 码已锁定，请办理“解锁”业务", "CKR_PIN_LOCKED");
    case pkcs11js.CKR_USER_PIN_NOT_INITIALIZED:
      return new TokenError("PIN_NOT_INITIALIZED", "介质尚未设置用户 PIN 码", "CKR_USER_PIN_NOT_INITIALIZED");
    case pkcs11js.CKR_USER_ALREADY_LOGGED_IN:
    case pkcs11js.CKR_USER_ANOTHER_ALREADY_LOGGED_IN:
      // A login is per application and token; accepting it would skip checking this PIN.
      return new TokenError(
        "TOKEN_BUSY",
        "该介质已被本程序登录，请先关闭之前的会话",
        so ? "CKR_USER_ANOTHER_ALREADY_LOGGED_IN" : "CKR_USER_ALREADY_LOGGED_IN",
      );
    default:
      return asTokenError(error, so ? "管理员登录" : "登录介质");
  }
}

function pinLengthError(token: TokenInfo): TokenError {
  return new TokenError(
    "PIN_LENGTH",
    `新 PIN 码长度须为 ${token.minPinLength}–${token.maxPinLength} 位`,
    "CKR_PIN_LEN_RANGE",
  );
}

/**
 * The 解锁 business: the security officer logs in and sets a new user PIN with C_InitPIN (PKCS#11
 * v2.40 §5.6), which also clears the user PIN's lock.
 */
export function resetUserPin(target: TokenTarget, soPin: string, newUserPin: string): void {
  const { pkcs11 } = acquireModule(target.modulePath);
  let session: Handle | undefined;
  try {
    const slot = findSlot(pkcs11, target);
    const token = readTokenInfo(pkcs11, slot);
    if (newUserPin.length < token.minPinLength || newUserPin.length > token.maxPinLength) {
      throw pinLengthError(token);
    }
    session = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    login(pkcs11, slot, session, pkcs11js.CKU_SO, soPin);
    try {
      pkcs11.C_InitPIN(session, newUserPin);
    } catch (error) {
      if (pkcs11Code(error) === pkcs11js.CKR_PIN_LEN_RANGE) throw pinLengthError(token);
      throw error;
    } finally {
      pkcs11.C_Logout(session);
    }
  } catch (error) {
    throw asTokenError(error, "重置 PIN 码");
  } finally {
    if (session) pkcs11.C_CloseSession(session);
    releaseModule(target.modulePath);
  }
}

/** The user changes their own PIN (C_SetPIN), e.g. right after an unlock gave them a temporary one. */
export function changeUserPin(session: TokenSession, oldPin: string, newPin: string): void {
  const { token } = session;
  if (newPin.length < token.minPinLength || newPin.length > token.maxPinLength) throw pinLengthError(token);
  try {
    session.pkcs11.C_SetPIN(session.handle, oldPin, newPin);
  } catch (error) {
    if (pkcs11Code(error) === pkcs11js.CKR_PIN_LEN_RANGE) throw pinLengthError(token);
    if (pkcs11Code(error) === pkcs11js.CKR_PIN_INCORRECT) {
      throw new TokenError("PIN_INCORRECT", "原 PIN 码错误", "CKR_PIN_INCORRECT", { cause: error });
    }
    throw asTokenError(error, "修改 PIN 码");
  }
}
