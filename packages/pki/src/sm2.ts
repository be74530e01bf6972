// SM2 digital signatures (GB/T 32918.2-2016) with SM3, using the default distinguishing ID
// "1234567812345678" (GM/T 0009-2012 10; GB/T 35276-2017). Node 20 can generate SM2 keys and compute
// SM3, but crypto.sign("sm3", ..., sm2Key) signs with an EMPTY distinguishing ID (OpenSSL 3 default)
// and offers no way to set one, so certificates signed that way fail `openssl verify -vfyopt
// distid:1234567812345678` and every GM/T 0015 relying party. We therefore compute Z and e here and do
// the modular arithmetic ourselves; the nonce point kG comes from OpenSSL through crypto.createECDH.
//
// Caveat: the scalar arithmetic on the private key d below uses JavaScript BigInt, which is not
// constant-time. That is acceptable for the software CA key in a pure library whose threat model does
// not include co-resident timing attackers; a PKCS#11 token (Signer interface) removes it entirely.
import crypto from "node:crypto";
import { children, expectTag, integerBytes, integerFromUnsigned, readOne, seq, TAG } from "./der";
import { PkiError } from "./errors";

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

export const SM2_DEFAULT_ID = Buffer.from("1234567812345678", "ascii");

const toBuf32 = (v: bigint): Buffer => Buffer.from(v.toString(16).padStart(64, "0"), "hex");
const toBig = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`));
const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

function modInv(a: bigint, m: bigint): bigint {
  let [oldR, r] = [mod(a, m), m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new PkiError("PKI_BAD_INPUT", "SM2 运算中出现不可逆元素");
  return mod(oldS, m);
}

const CURVE_CONSTANT = Buffer.concat([toBuf32(A), toBuf32(B), toBuf32(GX), toBuf32(GY)]);

/** Z_A = SM3(ENTL_A || ID_A || a || b || x_G || y_G || x_A || y_A) (GB/T 32918.2 5.5). */
export function sm2Za(publicPoint: Buffer, id: Buffer = SM2_DEFAULT_ID): Buffer {
  if (publicPoint.length !== 65 || publicPoint[0] !== 0x04) {
    throw new PkiError("PKI_UNSUPPORTED_KEY", "SM2 公钥必须是未压缩点");
  }
  const entl = Buffer.alloc(2);
  entl.writeUInt16BE(id.length * 8);
  return crypto
    .createHash("sm3")
    .update(entl)
    .update(id)
    .update(CURVE_CONSTANT)
    .update(publicPoint.subarray(1))
    .digest();
}

function sm2E(message: Buffer, publicPoint: Buffer, id: Buffer): bigint {
  const za = sm2Za(publicPoint, id);
  return toBig(crypto.createHash("sm3").update(za).update(message).digest());
}

/** Signs `message` with SM3withSM2; returns the DER SEQUENCE { r INTEGER, s INTEGER }. */
export function sm2Sign(
  message: Buffer,
  privateScalar: Buffer,
  publicPoint: Buffer,
  id: Buffer = SM2_DEFAULT_ID,
): Buffer {
  const d = toBig(privateScalar);
  if (d <= 0n || d >= N - 1n) throw new PkiError("PKI_UNSUPPORTED_KEY", "SM2 私钥无效");
  const e = sm2E(message, publicPoint, id);
  const dInv = modInv(1n + d, N);
  const ecdh = crypto.createECDH("SM2");
  for (;;) {
    // k uniform in [1, n-1]: 64 random bytes reduced mod (n-1) keeps the bias below 2^-256.
    const k = mod(toBig(crypto.randomBytes(64)), N - 1n) + 1n;
    ecdh.setPrivateKey(toBuf32(k));
    const x1 = toBig(ecdh.getPublicKey().subarray(1, 33));
    const r = mod(e + x1, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(dInv * (k - r * d), N);
    if (s === 0n) continue;
    return seq(integerFromUnsigned(toBuf32(r)), integerFromUnsigned(toBuf32(s)));
  }
}

// --- Verification: Jacobian-coordinate arithmetic on the SM2 curve (a = p - 3). -----------------

type Jac = [bigint, bigint, bigint];
const INF: Jac = [1n, 1n, 0n];

function jDouble([x, y, z]: Jac): Jac {
  if (z === 0n || y === 0n) return INF;
  // a = -3: M = 3(X - Z^2)(X + Z^2)
  const z2 = mod(z * z, P);
  const m = mod(3n * (x - z2) * (x + z2), P);
  const y2 = mod(y * y, P);
  const s = mod(4n * x * y2, P);
  const x3 = mod(m * m - 2n * s, P);
  const y3 = mod(m * (s - x3) - 8n * y2 * y2, P);
  const z3 = mod(2n * y * z, P);
  return [x3, y3, z3];
}

function jAdd(p1: Jac, p2: Jac): Jac {
  if (p1[2] === 0n) return p2;
  if (p2[2] === 0n) return p1;
  const z1z1 = mod(p1[2] * p1[2], P);
  const z2z2 = mod(p2[2] * p2[2], P);
  const u1 = mod(p1[0] * z2z2, P);
  const u2 = mod(p2[0] * z1z1, P);
  const s1 = mod(p1[1] * p2[2] * z2z2, P);
  const s2 = mod(p2[1] * p1[2] * z1z1, P);
  if (u1 === u2) return s1 === s2 ? jDouble(p1) : INF;
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const h2 = mod(h * h, P);
  const h3 = mod(h2 * h, P);
  const u1h2 = mod(u1 * h2, P);
  const x3 = mod(r * r - h3 - 2n * u1h2, P);
  const y3 = mod(r * (u1h2 - x3) - s1 * h3, P);
  const z3 = mod(h * p1[2] * p2[2], P);
  return [x3, y3, z3];
}

/** u1*G + u2*Q by Shamir's trick (verification only handles public values). */
function doubleMul(u1: bigint, g: Jac, u2: bigint, q: Jac): Jac {
  const gq = jAdd(g, q);
  let acc = INF;
  const bits = Math.max(u1.toString(2).length, u2.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    acc = jDouble(acc);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) acc = jAdd(acc, gq);
    else if (b1) acc = jAdd(acc, g);
    else if (b2) acc = jAdd(acc, q);
  }
  return acc;
}

function onCurve(x: bigint, y: bigint): boolean {
  return x < P && y < P && mod(y * y - (x * x * x + A * x + B), P) === 0n;
}

/** Verifies an SM3withSM2 DER signature; false for any malformed or wrong signature. */
export function sm2Verify(
  message: Buffer,
  signatureDer: Buffer,
  publicPoint: Buffer,
  id: Buffer = SM2_DEFAULT_ID,
): boolean {
  let r: bigint;
  let s: bigint;
  try {
    const parts = children(expectTag(readOne(signatureDer), TAG.SEQUENCE, "SM2 签名"));
    if (parts.length !== 2) return false;
    r = toBig(integerBytes(expectTag(parts[0], TAG.INTEGER, "SM2 签名")));
    s = toBig(integerBytes(expectTag(parts[1], TAG.INTEGER, "SM2 签名")));
  } catch {
    return false;
  }
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  if (publicPoint.length !== 65 || publicPoint[0] !== 0x04) return false;
  const qx = toBig(publicPoint.subarray(1, 33));
  const qy = toBig(publicPoint.subarray(33));
  if (!onCurve(qx, qy)) return false;
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const e = sm2E(message, publicPoint, id);
  const [x, , z] = doubleMul(s, [GX, GY, 1n], t, [qx, qy, 1n]);
  if (z === 0n) return false;
  const zInv = modInv(z, P);
  const x1 = mod(x * zInv * zInv, P);
  return mod(e + x1, N) === r;
}
