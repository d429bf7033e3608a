"""PEM/DER encodings of SM2 keys and signatures.

Written: SubjectPublicKeyInfo (id-ecPublicKey + namedCurve sm2p256v1, 1.2.156.10197.1.301),
PKCS#8 PrivateKeyInfo, and encrypted PKCS#8 (PBES2: PBKDF2-HMAC-SHA256 + SM4-CBC). The plain
structures come from Tongsuo; the encrypted one is assembled here because tongsuopy fixes
PBKDF2 at 2,048 iterations. hmacWithSM3 would be the national choice of PRF, but OpenSSL 3.0
rejects it ("Unknown PRF algorithm"), so SHA-256 keeps the files readable by ``openssl pkey``.

Read: the same, plus SEC 1 (``EC PRIVATE KEY``, or ``SM2 PRIVATE KEY`` as OpenSSL 3 labels
it), encrypted PKCS#8 in any cipher Tongsuo knows (OpenSSL writes AES-256-CBC), and the
public key of an X.509 certificate. Every
function accepts PEM or DER and raises only :mod:`anbao.sm.errors` on bad input.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Final

from asn1crypto import algos, core, keys, pem, x509
from tongsuopy.crypto import serialization
from tongsuopy.crypto.exceptions import InternalError, UnsupportedAlgorithm

from anbao.sm import sm4
from anbao.sm.errors import BadPassphrase, InvalidEncoding, InvalidKey
from anbao.sm.sm2 import ASN1_PARSE_ERRORS, CURVE_OID, SM2PrivateKey, SM2PublicKey, decode_signature

__all__ = [
    "PBKDF2_ITERATIONS",
    "load_certificate_public_key",
    "load_private_key",
    "load_public_key",
    "load_signature",
    "private_key_to_der",
    "private_key_to_pem",
    "public_key_to_der",
    "public_key_to_pem",
]

# OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about 0.1 s on one core here.
PBKDF2_ITERATIONS: Final = 600_000
SM4_CBC_OID: Final = "1.2.156.10197.1.104.2"
_EC_PUBLIC_KEY_OID: Final = "1.2.840.10045.2.1"

RandomBytes = Callable[[int], bytes]
_ASN1_ERRORS: Final = ASN1_PARSE_ERRORS

# asn1crypto ships without sm2p256v1; registering it (idempotent) names the curve and lets
# ECPrivateKey values on it be built, e.g. by the CA code and the tests.
keys.NamedCurve.register("sm2p256v1", CURVE_OID, 32)


def _reason(exc: BaseException) -> str:
    """The first line of a library's message (asn1crypto appends a parse trail)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _unarmor(data: bytes, labels: frozenset[str] | None, what: str) -> tuple[str | None, bytes]:
    """(label, DER) of the first PEM block with a wanted label, or (None, data) for DER.

    Other blocks are skipped, e.g. the ``SM2 PARAMETERS`` that ``openssl ecparam -genkey``
    writes before the key. ``labels=None`` takes the first block whatever its label.
    """
    data = bytes(data)
    if not data.lstrip().startswith(b"-----BEGIN"):
        return None, data
    try:
        blocks = list(pem.unarmor(data.lstrip(), multiple=True))
    except _ASN1_ERRORS as exc:
        raise InvalidEncoding(f"not a PEM {what}: {_reason(exc)}") from None
    for label, headers, der in blocks:
        if labels is None or label in labels:
            if headers:
                raise InvalidEncoding(
                    f"PEM {what} with headers (legacy encryption) is not supported"
                )
            return label, bytes(der)
    raise InvalidEncoding(f"no {what} in the PEM data")


def _parse(spec: type[core.Asn1Value], der: bytes) -> core.Asn1Value:
    """Parse fully (asn1crypto is lazy) so malformed input fails here, not later."""
    value = spec.load(der, strict=True)
    value.native  # noqa: B018 -- forces the whole structure to be decoded
    return value


def _check_sm2_algorithm(algorithm: keys.PublicKeyAlgorithm | keys.PrivateKeyAlgorithm) -> None:
    if algorithm["algorithm"].dotted != _EC_PUBLIC_KEY_OID:
        raise InvalidKey(f"not an EC key (algorithm {algorithm['algorithm'].dotted})")
    params = algorithm["parameters"]
    if params.name != "named" or params.chosen.dotted != CURVE_OID:
        raise InvalidKey("not a key on the SM2 curve sm2p256v1 (1.2.156.10197.1.301)")


# Public keys and certificates


def _point(bit_string: core.BitString) -> bytes:
    try:
        return bytes(bit_string.cast(core.OctetBitString).native)
    except _ASN1_ERRORS as exc:
        raise InvalidKey(f"the public key is not an EC point: {_reason(exc)}") from None


def _public_key_from_spki(spki: keys.PublicKeyInfo) -> SM2PublicKey:
    _check_sm2_algorithm(spki["algorithm"])
    return SM2PublicKey.from_point(_point(spki["public_key"]))


def load_public_key(data: bytes) -> SM2PublicKey:
    """An SM2 public key from a PEM or DER SubjectPublicKeyInfo."""
    _, der = _unarmor(data, frozenset({"PUBLIC KEY"}), "public key")
    try:
        spki = _parse(keys.PublicKeyInfo, der)
    except _ASN1_ERRORS as exc:
        raise InvalidEncoding(f"not a DER SubjectPublicKeyInfo: {_reason(exc)}") from None
    return _public_key_from_spki(spki)


def load_certificate_public_key(data: bytes) -> SM2PublicKey:
    """The subject's SM2 public key from a PEM or DER X.509 certificate (no validation)."""
    _, der = _unarmor(data, frozenset({"CERTIFICATE"}), "certificate")
    try:
        cert = x509.Certificate.load(der, strict=True)
        spki = cert["tbs_certificate"]["subject_public_key_info"]
        spki.native  # noqa: B018
    except _ASN1_ERRORS as exc:
        raise InvalidEncoding(f"not a DER X.509 certificate: {_reason(exc)}") from None
    return _public_key_from_spki(spki)


def public_key_to_der(key: SM2PublicKey) -> bytes:
    return key.to_spki_der()


def public_key_to_pem(key: SM2PublicKey) -> bytes:
    return bytes(pem.armor("PUBLIC KEY", key.to_spki_der()))


# Private keys


def _from_ec_private_key(ec_key: keys.ECPrivateKey) -> SM2PrivateKey:
    """Check d and any embedded public point against each other."""
    key = SM2PrivateKey.from_private_value(int(ec_key["private_key"].native))
    embedded = ec_key["public_key"]
    if embedded.native is not None:
        if SM2PublicKey.from_point(_point(embedded)) != key.public_key():
            raise InvalidKey("the private key does not match its embedded public key")
    return key


def _from_pkcs8(info: keys.PrivateKeyInfo) -> SM2PrivateKey:
    _check_sm2_algorithm(info["private_key_algorithm"])
    try:
        ec_key = _parse(keys.ECPrivateKey, bytes(info["private_key"].contents))
    except _ASN1_ERRORS as exc:
        raise InvalidKey(f"the PKCS#8 body is not an EC private key: {_reason(exc)}") from None
    return _from_ec_private_key(ec_key)


def _from_sec1(ec_key: keys.ECPrivateKey) -> SM2PrivateKey:
    params = ec_key["parameters"]
    if params.native is not None and (params.name != "named" or params.chosen.dotted != CURVE_OID):
        raise InvalidKey("not a key on the SM2 curve sm2p256v1 (1.2.156.10197.1.301)")
    return _from_ec_private_key(ec_key)


def _decrypt_pkcs8(der: bytes, passphrase: bytes) -> SM2PrivateKey:
    """Tongsuo decrypts every PBES1/PBES2 variant OpenSSL writes; re-check the result here."""
    try:
        loaded = serialization.load_der_private_key(der, passphrase)
        plain = loaded.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    except UnsupportedAlgorithm:
        raise InvalidKey("the encrypted key is not an SM2 key on sm2p256v1") from None
    except (ValueError, TypeError, InternalError) as exc:
        raise BadPassphrase(
            f"cannot decrypt the private key: wrong passphrase or unsupported cipher "
            f"({_reason(exc)})"
        ) from None
    return _from_pkcs8(_parse(keys.PrivateKeyInfo, bytes(plain)))


# OpenSSL 3 writes SEC 1 keys on the SM2 curve as "SM2 PRIVATE KEY" (``openssl ec``).
_PRIVATE_LABELS: Final = {
    "PRIVATE KEY": "PRIVATE KEY",
    "ENCRYPTED PRIVATE KEY": "ENCRYPTED PRIVATE KEY",
    "EC PRIVATE KEY": "EC PRIVATE KEY",
    "SM2 PRIVATE KEY": "EC PRIVATE KEY",
}


def load_private_key(data: bytes, passphrase: bytes | None = None) -> SM2PrivateKey:
    """An SM2 private key from PEM or DER PKCS#8 (plain or encrypted) or SEC 1."""
    label, der = _unarmor(data, frozenset(_PRIVATE_LABELS), "private key")
    wanted = None if label is None else _PRIVATE_LABELS[label]
    candidates: list[tuple[str, type[core.Asn1Value]]] = [
        ("PRIVATE KEY", keys.PrivateKeyInfo),
        ("ENCRYPTED PRIVATE KEY", keys.EncryptedPrivateKeyInfo),
        ("EC PRIVATE KEY", keys.ECPrivateKey),
    ]
    for kind, spec in candidates:
        if wanted not in (None, kind):
            continue
        try:
            parsed = _parse(spec, der)
        except _ASN1_ERRORS:
            continue
        if kind == "ENCRYPTED PRIVATE KEY":
            if passphrase is None:
                raise BadPassphrase(
                    "the private key is encrypted: a passphrase is needed",
                    code="passphrase_required",
                )
            return _decrypt_pkcs8(der, passphrase)
        if passphrase is not None:
            raise BadPassphrase(
                "a passphrase was given but the private key is not encrypted",
                code="passphrase_unexpected",
            )
        if kind == "PRIVATE KEY":
            return _from_pkcs8(parsed)
        return _from_sec1(parsed)
    raise InvalidEncoding("not a PKCS#8 or SEC 1 private key")


def _encrypt_pkcs8(
    plain_der: bytes, passphrase: bytes, iterations: int, random_bytes: RandomBytes
) -> bytes:
    if not passphrase:
        raise ValueError("an empty passphrase does not protect a key")
    salt, iv = random_bytes(16), random_bytes(16)
    kek = hashlib.pbkdf2_hmac("sha256", passphrase, salt, iterations, dklen=sm4.KEY_SIZE)
    scheme = algos.EncryptionAlgorithm(
        {
            "algorithm": "pbes2",
            "parameters": {
                "key_derivation_func": {
                    "algorithm": "pbkdf2",
                    "parameters": {
                        "salt": algos.Pbkdf2Salt(name="specified", value=salt),
                        "iteration_count": iterations,
                        "prf": {"algorithm": "sha256", "parameters": core.Null()},
                    },
                },
                "encryption_scheme": {
                    "algorithm": SM4_CBC_OID,
                    "parameters": core.OctetString(iv),
                },
            },
        }
    )
    info = keys.EncryptedPrivateKeyInfo(
        {
            "encryption_algorithm": scheme,
            "encrypted_data": sm4.cbc_encrypt(kek, iv, plain_der),
        }
    )
    return bytes(info.dump())


def private_key_to_der(
    key: SM2PrivateKey,
    passphrase: bytes | None = None,
    *,
    iterations: int = PBKDF2_ITERATIONS,
    random_bytes: RandomBytes = os.urandom,
) -> bytes:
    """PKCS#8 DER; encrypted (PBES2, PBKDF2-HMAC-SHA256, SM4-CBC) when a passphrase is given."""
    plain = key.to_pkcs8_der()
    if passphrase is None:
        return plain
    return _encrypt_pkcs8(plain, passphrase, iterations, random_bytes)


def private_key_to_pem(
    key: SM2PrivateKey,
    passphrase: bytes | None = None,
    *,
    iterations: int = PBKDF2_ITERATIONS,
    random_bytes: RandomBytes = os.urandom,
) -> bytes:
    der = private_key_to_der(key, passphrase, iterations=iterations, random_bytes=random_bytes)
    label = "PRIVATE KEY" if passphrase is None else "ENCRYPTED PRIVATE KEY"
    return bytes(pem.armor(label, der))


# Signatures


def load_signature(data: bytes) -> bytes:
    """The canonical DER of an SM2 signature given as DER or PEM (any label).

    Raises :class:`InvalidEncoding` for anything that is not ``SEQUENCE {INTEGER, INTEGER}``
    in strict DER, including truncated files.
    """
    _, der = _unarmor(data, None, "signature")
    decode_signature(der)
    return der
