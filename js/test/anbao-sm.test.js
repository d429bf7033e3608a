// `npm test` (Node >= 20): the module's round trips. Interoperability with anbao and OpenSSL
// is checked in a real browser by tests/e2e/test_enrolment.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import * as S from "../src/anbao-sm.js";
import * as der from "../src/der.js";

test("sign and verify with the default and another ID", () => {
  const kp = S.generateKeyPair();
  const sig = S.sign("message digest", kp);
  assert.equal(sig[0], 0x30);
  assert.ok(S.verify("message digest", sig, kp.publicKey));
  assert.ok(!S.verify("message digest", sig, kp.publicKey, { id: "ALICE123@YAHOO.COM" }));
  const other = S.sign(new Uint8Array([1, 2, 3]), kp, { id: "doctor" });
  assert.ok(S.verify(new Uint8Array([1, 2, 3]), other, kp.publicKey, { id: "doctor" }));
});

test("the CSR carries the key and a valid self-signature", () => {
  const kp = S.generateKeyPair();
  const csr = S.buildCsr(kp, { CN: "张三", OU: "心内科" });
  assert.match(csr.pem, /^-----BEGIN CERTIFICATE REQUEST-----\n/);
  const [info, algorithm, signature] = der.parse(csr.der).children();
  assert.equal(der.oidText(algorithm.children()[0].contents), "1.2.156.10197.1.501");
  assert.equal(algorithm.children().length, 1); // no parameters
  const tbs = der.tlv(info.tag, info.contents); // DER: re-encoding gives the signed bytes
  assert.ok(S.verify(tbs, signature.contents.subarray(1), kp.publicKey));
});

test("encrypted PKCS#8 round trip; a wrong PIN is bad_pin", async () => {
  const kp = S.generateKeyPair();
  const pem = await S.encryptPrivateKey(S.privateKeyInfo(kp), "246813", { iterations: 1000 });
  assert.match(pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
  assert.deepEqual(await S.decryptPrivateKey(pem, "246813"), kp);
  await assert.rejects(S.decryptPrivateKey(pem, "000000"), { code: "bad_pin" });
});

test("DER integers and OIDs", () => {
  assert.deepEqual([...der.integer(0)], [2, 1, 0]);
  assert.deepEqual([...der.integer(128)], [2, 2, 0, 128]);
  assert.deepEqual([...der.integer(600000)], [2, 3, 0x09, 0x27, 0xc0]);
  assert.equal(der.oidText(der.oid("1.2.156.10197.1.104.2").subarray(2)), "1.2.156.10197.1.104.2");
});
