// anbao-sm: SM2/SM3/SM4 in the browser, for enrolment and sign-in with a certificate.
//
// Built by `make js` into src/anbao/enrolment/static/enrolment/anbao-sm.js, which exposes
// this module as the global `AnbaoSM`. Every function works on the page only: nothing here
// sends anything anywhere. Keys are {privateKey: hex, publicKey: hex "04‖x‖y"} objects.
//
// The file formats are anbao's (see src/anbao/sm/encoding.py and docs/interop.md):
// - PKCS#10 requests signed with SM2-with-SM3 (1.2.156.10197.1.501, no parameters), the
//   key as id-ecPublicKey + sm2p256v1, the signature DER SEQUENCE{r, s} over the request
//   with the standard distinguishing ID 1234567812345678;
// - PKCS#8 PrivateKeyInfo, encrypted as PBES2 with PBKDF2-HMAC-SHA256 (600,000 iterations,
//   16-byte salt) and SM4-CBC, PEM "ENCRYPTED PRIVATE KEY": `anbao sm sign --key` and
//   `openssl pkey -passin` open it.

import { pbkdf2Async } from "@noble/hashes/pbkdf2";
import { sha1 } from "@noble/hashes/legacy";
import { sha256 } from "@noble/hashes/sha2";
import { sm2, sm3 as sm3hex, sm4 } from "sm-crypto-v2";

import * as der from "./der.js";

export const DEFAULT_ID = "1234567812345678";
export const PBKDF2_ITERATIONS = 600000;

const OID = {
  EC_PUBLIC_KEY: "1.2.840.10045.2.1",
  SM2_CURVE: "1.2.156.10197.1.301",
  SM2_WITH_SM3: "1.2.156.10197.1.501",
  PBES2: "1.2.840.113549.1.5.13",
  PBKDF2: "1.2.840.113549.1.5.12",
  HMAC_SHA1: "1.2.840.113549.2.7",
  HMAC_SHA256: "1.2.840.113549.2.9",
  SM4_CBC: "1.2.156.10197.1.104.2",
  AES_128_CBC: "2.16.840.1.101.3.4.1.2",
  AES_256_CBC: "2.16.840.1.101.3.4.1.42",
  COMMON_NAME: "2.5.4.3",
  ORGANIZATION: "2.5.4.10",
  ORGANIZATIONAL_UNIT: "2.5.4.11",
  COUNTRY: "2.5.4.6",
  EMAIL: "1.2.840.113549.1.9.1",
};

const NAME_OIDS = { CN: OID.COMMON_NAME, O: OID.ORGANIZATION, OU: OID.ORGANIZATIONAL_UNIT };

// Byte and text helpers

export function hexToBytes(hex) {
  if (hex.length % 2) throw new Error("odd-length hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const utf8 = (text) => new TextEncoder().encode(text);
const asBytes = (message) => (typeof message === "string" ? utf8(message) : message);

export function toBase64(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
}

export function pemEncode(label, bytes) {
  const body = toBase64(bytes).replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/** The DER of the first PEM block labelled `label` (or the first block at all). */
export function pemDecode(text, label) {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!label || m[1] === label) return fromBase64(m[2]);
  }
  throw new Error(`no ${label || "PEM"} block`);
}

export function randomBytes(n) {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

// SM3 and SM2

/** SM3 of bytes (or of a string's UTF-8), as lowercase hex. */
export function sm3(message) {
  return sm3hex(asBytes(message));
}

/** A fresh SM2 key pair from the browser's CSPRNG (crypto.getRandomValues). */
export function generateKeyPair() {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  return { privateKey, publicKey };
}

export function publicKeyFromPrivate(privateKeyHex) {
  return sm2.getPublicKeyFromPrivateKey(privateKeyHex);
}

function signatureToDer(rsHex) {
  return der.sequence(
    der.integer(hexToBytes(rsHex.slice(0, 64))),
    der.integer(hexToBytes(rsHex.slice(64))),
  );
}

function signatureFromDer(signature) {
  const [r, s, extra] = der.parse(signature).children();
  if (!s || extra) throw new Error("not an SM2 signature");
  const pad = (el) => bytesToHex(der.expect(el, der.TAG.INTEGER, "INTEGER").contents)
    .replace(/^(00)+/, "").padStart(64, "0");
  return pad(r) + pad(s);
}

/**
 * SM2 signature of `message` (bytes or text) with the key pair, over SM3(Z_A ‖ M) for the
 * distinguishing ID `id` (default 1234567812345678). Returns the DER SEQUENCE{r, s}.
 */
export function sign(message, keyPair, { id = DEFAULT_ID } = {}) {
  const rs = sm2.doSignature(asBytes(message), keyPair.privateKey, {
    hash: true,
    der: false,
    publicKey: keyPair.publicKey,
    userId: id,
  });
  return signatureToDer(rs);
}

/** True when the DER `signature` is valid for `message` under `publicKeyHex` and `id`. */
export function verify(message, signature, publicKeyHex, { id = DEFAULT_ID } = {}) {
  return sm2.doVerifySignature(asBytes(message), signatureFromDer(signature), publicKeyHex, {
    hash: true,
    der: false,
    userId: id,
  });
}

// Keys and requests

function subjectPublicKeyInfo(publicKeyHex) {
  return der.sequence(
    der.sequence(der.oid(OID.EC_PUBLIC_KEY), der.oid(OID.SM2_CURVE)),
    der.bitString(hexToBytes(publicKeyHex)),
  );
}

function name(subject) {
  const rdns = Object.entries(subject)
    .filter(([, value]) => value)
    .map(([key, value]) => {
      if (!NAME_OIDS[key]) throw new Error(`unsupported name attribute ${key}`);
      return der.set(der.sequence(der.oid(NAME_OIDS[key]), der.utf8String(value)));
    });
  return der.sequence(...rdns);
}

/**
 * A PKCS#10 CertificationRequest for the key pair, signed with SM2-with-SM3 and `id`.
 * `subject` is {CN, O, OU} (anbao takes the holder's name from the invitation, not from
 * here). Returns {der: Uint8Array, pem: string}.
 */
export function buildCsr(keyPair, subject = {}, { id = DEFAULT_ID } = {}) {
  const info = der.sequence(
    der.integer(0),
    name(subject),
    subjectPublicKeyInfo(keyPair.publicKey),
    der.context(0), // attributes: none
  );
  const request = der.sequence(
    info,
    der.sequence(der.oid(OID.SM2_WITH_SM3)),
    der.bitString(sign(info, keyPair, { id })),
  );
  return { der: request, pem: pemEncode("CERTIFICATE REQUEST", request) };
}

/** PKCS#8 PrivateKeyInfo (DER) with the ECPrivateKey and its public key. */
export function privateKeyInfo(keyPair) {
  const ecPrivateKey = der.sequence(
    der.integer(1),
    der.octetString(hexToBytes(keyPair.privateKey.padStart(64, "0"))),
    der.context(1, der.bitString(hexToBytes(keyPair.publicKey))),
  );
  return der.sequence(
    der.integer(0),
    der.sequence(der.oid(OID.EC_PUBLIC_KEY), der.oid(OID.SM2_CURVE)),
    der.octetString(ecPrivateKey),
  );
}

/** The key pair inside a PKCS#8 PrivateKeyInfo (DER); checks the curve and public key. */
export function keyPairFromPrivateKeyInfo(pkcs8) {
  const [version, algorithm, body] = der.parse(pkcs8).children();
  der.expect(version, der.TAG.INTEGER, "PKCS#8 version");
  const [alg, curve] = der.expect(algorithm, der.TAG.SEQUENCE, "algorithm").children();
  if (der.oidText(alg.contents) !== OID.EC_PUBLIC_KEY || !curve
      || der.oidText(curve.contents) !== OID.SM2_CURVE) {
    throw new Error("not an SM2 key");
  }
  const ec = der.parse(der.expect(body, der.TAG.OCTET_STRING, "private key").contents);
  const [, d, ...rest] = ec.children();
  const privateKey = bytesToHex(der.expect(d, der.TAG.OCTET_STRING, "d").contents)
    .padStart(64, "0");
  const publicKey = publicKeyFromPrivate(privateKey);
  const embedded = rest.find((el) => el.tag === 0xa1);
  if (embedded) {
    const bits = der.parse(embedded.contents).contents.subarray(1);
    if (bytesToHex(bits) !== publicKey) throw new Error("the key does not match its public key");
  }
  return { privateKey, publicKey };
}

/** The subject's SM2 public key (hex) in a PEM or DER X.509 certificate. */
export function publicKeyFromCertificate(certificate) {
  const bytes = typeof certificate === "string" ? pemDecode(certificate, "CERTIFICATE") : certificate;
  const [tbs] = der.parse(bytes).children();
  const fields = tbs.children();
  const offset = fields[0].tag === 0xa0 ? 1 : 0; // [0] version
  const spki = fields[offset + 5];
  const [algorithm, key] = spki.children();
  const [, curve] = algorithm.children();
  if (!curve || der.oidText(curve.contents) !== OID.SM2_CURVE) throw new Error("not an SM2 key");
  return bytesToHex(key.contents.subarray(1));
}

// Encrypted PKCS#8 (PBES2)

async function pbkdf2(pin, salt, iterations, hash, length) {
  const password = utf8(pin);
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (subtle) {
    const key = await subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
    const bits = await subtle.deriveBits(
      { name: "PBKDF2", salt, iterations, hash: hash === sha1 ? "SHA-1" : "SHA-256" },
      key,
      length * 8,
    );
    return new Uint8Array(bits);
  }
  // WebCrypto exists only on HTTPS or localhost; elsewhere the same PBKDF2 in JavaScript.
  return pbkdf2Async(hash, password, salt, { c: iterations, dkLen: length });
}

async function aesCbc(decrypting, key, iv, data) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) throw new Error("AES keys need WebCrypto (HTTPS)");
  const k = await subtle.importKey("raw", key, "AES-CBC", false, [decrypting ? "decrypt" : "encrypt"]);
  const out = decrypting
    ? await subtle.decrypt({ name: "AES-CBC", iv }, k, data)
    : await subtle.encrypt({ name: "AES-CBC", iv }, k, data);
  return new Uint8Array(out);
}

/**
 * Encrypt a PKCS#8 PrivateKeyInfo (DER) with a PIN: PBES2, PBKDF2-HMAC-SHA256
 * (`iterations`, default 600,000), SM4-CBC. Resolves to the PEM "ENCRYPTED PRIVATE KEY".
 */
export async function encryptPrivateKey(pkcs8, pin, { iterations = PBKDF2_ITERATIONS } = {}) {
  if (!pin) throw new Error("an empty PIN does not protect a key");
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const kek = await pbkdf2(pin, salt, iterations, sha256, 16);
  const encrypted = sm4.encrypt(pkcs8, kek, { mode: "cbc", iv, output: "array", padding: "pkcs#7" });
  const scheme = der.sequence(
    der.oid(OID.PBES2),
    der.sequence(
      der.sequence(
        der.oid(OID.PBKDF2),
        der.sequence(
          der.octetString(salt),
          der.integer(iterations),
          der.sequence(der.oid(OID.HMAC_SHA256), der.nullValue()),
        ),
      ),
      der.sequence(der.oid(OID.SM4_CBC), der.octetString(iv)),
    ),
  );
  const info = der.sequence(scheme, der.octetString(Uint8Array.from(encrypted)));
  return pemEncode("ENCRYPTED PRIVATE KEY", info);
}

function pbes2Parameters(scheme) {
  const [algorithm, params] = scheme.children();
  if (der.oidText(algorithm.contents) !== OID.PBES2) throw new Error("not PBES2");
  const [kdf, cipher] = params.children();
  const [kdfOid, kdfParams] = kdf.children();
  if (der.oidText(kdfOid.contents) !== OID.PBKDF2) throw new Error("not PBKDF2");
  const fields = kdfParams.children();
  const salt = der.expect(fields[0], der.TAG.OCTET_STRING, "salt").contents;
  const iterations = Number(BigInt(`0x${bytesToHex(fields[1].contents)}`));
  const prf = fields.slice(2).find((el) => el.tag === der.TAG.SEQUENCE);
  const prfOid = prf ? der.oidText(prf.children()[0].contents) : OID.HMAC_SHA1;
  const hash = { [OID.HMAC_SHA1]: sha1, [OID.HMAC_SHA256]: sha256 }[prfOid];
  if (!hash) throw new Error(`unsupported PBKDF2 PRF ${prfOid}`);
  const [cipherOid, iv] = cipher.children();
  return { salt, iterations, hash, cipher: der.oidText(cipherOid.contents), iv: iv.contents };
}

/**
 * Open an ENCRYPTED PRIVATE KEY (PEM or DER) with the PIN: PBES2 with PBKDF2-HMAC-SHA256 or
 * -SHA1, and SM4-CBC (anbao) or AES-128/256-CBC (OpenSSL). Resolves to the key pair;
 * rejects with an Error whose `code` is "bad_pin" when the PIN is wrong.
 */
export async function decryptPrivateKey(encrypted, pin) {
  const bytes = typeof encrypted === "string" ? pemDecode(encrypted, "ENCRYPTED PRIVATE KEY") : encrypted;
  const [scheme, data] = der.parse(bytes).children();
  const p = pbes2Parameters(scheme);
  const keyLength = { [OID.SM4_CBC]: 16, [OID.AES_128_CBC]: 16, [OID.AES_256_CBC]: 32 }[p.cipher];
  if (!keyLength) throw new Error(`unsupported cipher ${p.cipher}`);
  const kek = await pbkdf2(pin, p.salt, p.iterations, p.hash, keyLength);
  let plain;
  try {
    plain = p.cipher === OID.SM4_CBC
      ? Uint8Array.from(sm4.decrypt(data.contents, kek, { mode: "cbc", iv: p.iv, output: "array", padding: "pkcs#7" }))
      : await aesCbc(true, kek, p.iv, data.contents);
    return keyPairFromPrivateKeyInfo(plain);
  } catch (exc) {
    const error = new Error("wrong PIN or damaged key file");
    error.code = "bad_pin";
    error.cause = exc;
    throw error;
  }
}
