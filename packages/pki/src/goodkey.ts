// Key quality checks before a key is certified (issue 12 item 5), after Let's Encrypt Boulder's
// goodkey and EJBCA's key validators. RSA: at least 2048 bits and an odd exponent ≥ 65537 (keys.ts
// inspectSpki), an odd modulus with no prime factor up to 751, primes not close enough for Fermat's
// method to split the modulus in a few rounds, and no ROCA fingerprint (CVE-2017-15361, Infineon
// RSALib). EC and SM2: the point is on the curve with coordinates in the field; every curve accepted
// here (P-256, P-384, SM2) has cofactor 1, so a point on the curve other than the point at infinity
// (which the uncompressed encoding cannot express) has the full prime order: no small-order points.
import { children, expectTag, integerBytes, readOne, TAG } from "./der";
import { PkiError } from "./errors";
import type { Curve, PublicKeyInfo } from "./keys";

/** Which check refused a key; goes into PkiError.details so callers and tests can tell them apart. */
export type WeakKeyCheck =
  | "rsa-modulus-even"
  | "rsa-small-factor"
  | "rsa-fermat"
  | "rsa-roca"
  | "ec-point-off-curve"
  | "ec-coordinate-range";

const weak = (check: WeakKeyCheck, message: string) => new PkiError("PKI_WEAK_KEY", message, [check]);

const toBig = (b: Buffer): bigint => (b.length === 0 ? 0n : BigInt(`0x${b.toString("hex")}`));

// --- RSA ---------------------------------------------------------------------------------------

/** Primes up to 751, as Boulder's checkSmallPrimes (the product of the odd ones is about 2^1024). */
const SMALL_PRIMES: readonly bigint[] = (() => {
  const out: bigint[] = [];
  const sieve = new Uint8Array(752);
  for (let i = 2; i <= 751; i++) {
    if (sieve[i]) continue;
    out.push(BigInt(i));
    for (let j = i * i; j <= 751; j += i) sieve[j] = 1;
  }
  return out;
})();
const SMALL_PRIMES_PRODUCT = SMALL_PRIMES.reduce((a, b) => a * b, 1n);

/** Rounds of Fermat's factorisation tried (Boulder's default is 110). */
export const FERMAT_ROUNDS = 110;

/** Floor square root of a non-negative bigint (Newton's method from above). */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

// Squares modulo 64 and 63 and 65: a cheap filter before taking a square root.
const squaresMod = (m: number) => {
  const s = new Set<number>();
  for (let i = 0; i < m; i++) s.add((i * i) % m);
  return s;
};
const SQ64 = squaresMod(64);
const SQ63 = squaresMod(63);
const SQ65 = squaresMod(65);

function isSquare(x: bigint): boolean {
  if (!SQ64.has(Number(x & 63n)) || !SQ63.has(Number(x % 63n)) || !SQ65.has(Number(x % 65n))) return false;
  const r = isqrt(x);
  return r * r === x;
}

/**
 * Fermat's method: n = a² − b² = (a + b)(a − b). Starting from a = ⌈√n⌉ it finds p and q in the first
 * rounds when |p − q| is small (about below 2·n^¼·√rounds). Returns the factors, or null.
 */
export function fermatFactor(n: bigint, rounds = FERMAT_ROUNDS): [bigint, bigint] | null {
  let a = isqrt(n);
  if (a * a < n) a += 1n;
  let b2 = a * a - n;
  for (let i = 0; i < rounds; i++) {
    if (isSquare(b2)) {
      const b = isqrt(b2);
      if (a - b > 1n) return [a + b, a - b];
    }
    // (a + 1)² − n = b2 + 2a + 1
    b2 += 2n * a + 1n;
    a += 1n;
  }
  return null;
}

/**
 * ROCA (Nemec et al., CCS 2017): RSALib primes are p = k·M + (65537^a mod M), M a primorial, so for
 * every small prime r dividing M, p mod r and hence n mod r lie in the subgroup of (Z/rZ)* generated
 * by 65537. The published detector (crocs-muni/roca, Boulder's use of it) tests exactly that for the
 * primes 3 … 167; a random modulus passes all of them with probability about 2^-154.
 */
const ROCA_PRIMES = SMALL_PRIMES.filter((p) => p > 2n && p <= 167n).map(Number);
const ROCA_SUBGROUPS = ROCA_PRIMES.map((r) => {
  const members = new Set<number>();
  const g = 65537 % r;
  let x = 1;
  do {
    members.add(x);
    x = (x * g) % r;
  } while (x !== 1);
  return members;
});

export function hasRocaFingerprint(n: bigint): boolean {
  return ROCA_PRIMES.every((r, i) => ROCA_SUBGROUPS[i]!.has(Number(n % BigInt(r))));
}

/** The RSA modulus of an SPKI's RSAPublicKey. */
export function rsaModulus(key: PublicKeyInfo): bigint {
  const [n] = children(expectTag(readOne(key.publicKey), TAG.SEQUENCE, "RSA 公钥"));
  return toBig(integerBytes(expectTag(n, TAG.INTEGER, "RSA 模数")));
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

function checkRsa(key: PublicKeyInfo): void {
  const n = rsaModulus(key);
  if ((n & 1n) === 0n) throw weak("rsa-modulus-even", "RSA 公钥模数为偶数，不是有效的 RSA 密钥");
  const g = gcd(n, SMALL_PRIMES_PRODUCT);
  if (g !== 1n) {
    const factor = SMALL_PRIMES.find((p) => n % p === 0n);
    throw weak("rsa-small-factor", `RSA 公钥模数含小素因子 ${factor}，密钥可被分解`);
  }
  if (fermatFactor(n)) throw weak("rsa-fermat", "RSA 密钥的两个素因子过于接近（费马分解可在数步内分解模数）");
  if (hasRocaFingerprint(n)) {
    throw weak("rsa-roca", "RSA 密钥带有 ROCA 指纹（CVE-2017-15361，英飞凌 RSALib 生成），可被分解");
  }
}

// --- EC and SM2 --------------------------------------------------------------------------------

interface CurveParams {
  p: bigint;
  a: bigint;
  b: bigint;
}

// SEC 2 v2 2.4.2 (secp256r1), 2.5.1 (secp384r1); GB/T 32918.5-2017 (SM2 recommended curve).
const CURVE_PARAMS: Record<Curve, CurveParams> = {
  "P-256": {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
  },
  "P-384": {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
  },
  SM2: {
    p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
    a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
    b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  },
};

function checkEcPoint(key: PublicKeyInfo): void {
  const c = key.curve ? CURVE_PARAMS[key.curve] : undefined;
  if (!c) return;
  const len = (key.publicKey.length - 1) / 2;
  const x = toBig(key.publicKey.subarray(1, 1 + len));
  const y = toBig(key.publicKey.subarray(1 + len));
  if (x >= c.p || y >= c.p) throw weak("ec-coordinate-range", "椭圆曲线公钥的坐标超出有限域范围");
  const lhs = (y * y) % c.p;
  const rhs = (((x * x) % c.p) * x + c.a * x + c.b) % c.p;
  if (lhs !== rhs) throw weak("ec-point-off-curve", "椭圆曲线公钥的点不在曲线上");
}

/** Throws PKI_WEAK_KEY (details: the WeakKeyCheck) when `key` must not be certified. */
export function checkKeyQuality(key: PublicKeyInfo): void {
  if (key.keyType === "rsa") checkRsa(key);
  else checkEcPoint(key);
}
