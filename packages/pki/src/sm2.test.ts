import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, localSigner } from "./keys";
import { sm2Verify } from "./sm2";
import { openssl, opensslOk, removeDir, SM2_ID, tmpDir, write } from "./test-support";

let dir: string;
let point: Buffer;
let signer: ReturnType<typeof localSigner>;

afterAll(() => removeDir(dir));

beforeAll(() => {
  dir = tmpDir();
  const pair = generateKeyPair("sm2");
  signer = localSigner(pair.pkcs8);
  point = signer.publicKeySpki.subarray(-65);
  write(dir, "pub.der", signer.publicKeySpki);
  opensslOk(["pkey", "-pubin", "-inform", "DER", "-in", "pub.der", "-out", "pub.pem"], dir);
  write(dir, "key.der", pair.pkcs8);
  opensslOk(["pkey", "-inform", "DER", "-in", "key.der", "-out", "key.pem"], dir);
});

const verifyArgs = (sig: string) => [
  "pkeyutl",
  "-verify",
  "-pubin",
  "-inkey",
  "pub.pem",
  "-rawin",
  "-digest",
  "sm3",
  "-in",
  "msg",
  "-sigfile",
  sig,
];

describe("SM2 signatures with the standard distinguishing ID", () => {
  it("are accepted by openssl with distid 1234567812345678 and refused without it", () => {
    const msg = crypto.randomBytes(200);
    write(dir, "msg", msg);
    write(dir, "ours.sig", signer.sign(msg) as Buffer);
    expect(openssl([...verifyArgs("ours.sig"), "-pkeyopt", SM2_ID], dir).out).toMatch(
      /Verified Successfully/,
    );
    // OpenSSL 3 (and node:crypto) default to an empty ID: the signature must not verify that way.
    expect(openssl(verifyArgs("ours.sig"), dir).status).not.toBe(0);
  });

  it("verify signatures openssl made with the standard ID, and only for the signed message", () => {
    const msg = crypto.randomBytes(100);
    write(dir, "msg", msg);
    opensslOk(
      [
        "pkeyutl",
        "-sign",
        "-inkey",
        "key.pem",
        "-rawin",
        "-digest",
        "sm3",
        "-in",
        "msg",
        "-out",
        "theirs.sig",
        "-pkeyopt",
        SM2_ID,
      ],
      dir,
    );
    const sig = fs.readFileSync(path.join(dir, "theirs.sig"));
    expect(sm2Verify(msg, sig, point)).toBe(true);
    const other = Buffer.from(msg);
    other[0]! ^= 1;
    expect(sm2Verify(other, sig, point)).toBe(false);
    expect(sm2Verify(msg, sig, point, Buffer.from("another-user-id"))).toBe(false);
  });

  it("refuse malformed signatures and points off the curve", () => {
    const msg = Buffer.from("报文");
    const sig = signer.sign(msg) as Buffer;
    expect(sm2Verify(msg, sig, point)).toBe(true);
    expect(sm2Verify(msg, Buffer.from("garbage"), point)).toBe(false);
    const badPoint = Buffer.from(point);
    badPoint[64]! ^= 1;
    expect(sm2Verify(msg, sig, badPoint)).toBe(false);
  });
});
