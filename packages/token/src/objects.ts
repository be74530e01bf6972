import type pkcs11js from "pkcs11js";
import type { TokenSession } from "./token";

type Handle = Buffer;

/** CK_ULONG in host byte order; every platform SoftHSM and pkcs11js build for is little-endian. */
export function ulong(value: Buffer): number {
  return value.length >= 8 ? Number(value.readBigUInt64LE(0)) : value.readUInt32LE(0);
}

export function attributes(session: TokenSession, object: Handle, types: number[]): Map<number, Buffer> {
  const result = session.pkcs11.C_GetAttributeValue(
    session.handle,
    object,
    types.map((type) => ({ type })),
  );
  return new Map(result.map((a) => [a.type, a.value]));
}

export function findObjects(session: TokenSession, template: pkcs11js.Template): Handle[] {
  const { pkcs11, handle } = session;
  pkcs11.C_FindObjectsInit(handle, template);
  try {
    const found: Handle[] = [];
    for (;;) {
      const batch = pkcs11.C_FindObjects(handle, 64);
      if (batch.length === 0) return found;
      found.push(...batch);
    }
  } finally {
    pkcs11.C_FindObjectsFinal(handle);
  }
}
