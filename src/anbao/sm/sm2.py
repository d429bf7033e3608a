"""SM2 on the recommended curve sm2p256v1 (GB/T 32918.1-5, GM/T 0003): keys, signatures with a
distinguishing ID, and public-key encryption.

Signatures follow GB/T 32918.2: ``Z_A = SM3(ENTL || ID || a || b || x_G || y_G || x_A || y_A)``,
``e = SM3(Z_A || M)``, and the signature over ``e`` is DER ``SEQUENCE {INTEGER r, INTEGER s}``.
tongsuopy's high-level ``sign``/``verify`` take no ID, so this module computes ``e`` itself and
hands it to Tongsuo's ``EVP_PKEY_sign``/``EVP_PKEY_verify`` on an SM2 ``EVP_PKEY_CTX``. The
same path serves every ID, including the default ``1234567812345678`` (GM/T 0009 clause 10).

Encryption (GB/T 32918.4) is done natively; the ciphertext is C1 || C3 || C2 in content, and by
default uses the GM/T 0009 ASN.1 form ``SEQUENCE {INTEGER x1, INTEGER y1, OCTET STRING C3,
OCTET STRING C2}`` that OpenSSL's ``pkeyutl`` reads and writes. The raw concatenations are
available through :class:`CiphertextFormat`.

Tongsuo draws the per-signature and per-encryption random ``k`` itself; it cannot be injected
through tongsuopy. Tests therefore check the published vectors through ``Z_A``/``e``,
verification of the published signature and decryption of the published ciphertext.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from asn1crypto import core
from asn1crypto import parser as asn1_parser
from tongsuopy.backends.tongsuo.backend import backend as _backend
from tongsuopy.crypto import serialization
from tongsuopy.crypto.asymciphers import ec

from anbao.sm.errors import DecryptionError, InvalidEncoding, InvalidKey, InvalidSignature, SMError
from anbao.sm.sm3 import sm3

__all__ = [
    "DEFAULT_ID",
    "CiphertextFormat",
    "SM2PrivateKey",
    "SM2PublicKey",
    "compute_za",
    "decode_signature",
    "encode_signature",
]

# sm2p256v1, GB/T 32918.5-2017 clause 3.
P: Final = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF
A: Final = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC
B: Final = 0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93
N: Final = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123
GX: Final = 0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7
GY: Final = 0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0
CURVE_OID: Final = "1.2.156.10197.1.301"

DEFAULT_ID: Final = b"1234567812345678"
# ENTL is a 16-bit count of bits, so an ID has at most 8191 bytes.
MAX_ID_BYTES: Final = 0xFFFF // 8
_FIELD_BYTES: Final = 32
_ZA_CACHE_SIZE: Final = 8  # IDs remembered per key

# What asn1crypto raises on malformed input. KeyError (an unknown algorithm OID whose
# parameters depend on it) and AttributeError (an asn1crypto bug on some tags) were found
# by the parser fuzz tests.
ASN1_PARSE_ERRORS: Final = (ValueError, TypeError, KeyError, AttributeError, IndexError)

_lib: Any = _backend._lib
_ffi: Any = _backend._ffi


class CiphertextFormat(enum.Enum):
    """How an SM2 ciphertext is laid out on the wire."""

    ASN1 = "asn1"  # GM/T 0009 SM2Cipher, DER; what OpenSSL and Tongsuo use
    C1C3C2 = "c1c3c2"  # 04 || x1 || y1 || C3 || C2, GB/T 32918.4-2016 order
    C1C2C3 = "c1c2c3"  # 04 || x1 || y1 || C2 || C3, the pre-2012 order of some old tools


class _ECSignature(core.Sequence):  # type: ignore[misc]
    _fields = [("r", core.Integer), ("s", core.Integer)]


class _SM2Cipher(core.Sequence):  # type: ignore[misc]
    _fields = [
        ("x", core.Integer),
        ("y", core.Integer),
        ("hash", core.OctetString),
        ("ciphertext", core.OctetString),
    ]


def _id_bytes(distinguishing_id: bytes | str) -> bytes:
    raw = (
        distinguishing_id.encode("utf-8")
        if isinstance(distinguishing_id, str)
        else bytes(distinguishing_id)
    )
    if len(raw) > MAX_ID_BYTES:
        raise ValueError(f"an SM2 distinguishing ID has at most {MAX_ID_BYTES} bytes")
    return raw


def _int32(value: int) -> bytes:
    return value.to_bytes(_FIELD_BYTES, "big")


def compute_za(x: int, y: int, distinguishing_id: bytes | str = DEFAULT_ID) -> bytes:
    """Z_A of GB/T 32918.2 clause 5.5 for the public point (x, y) and the ID."""
    ident = _id_bytes(distinguishing_id)
    preimage = (len(ident) * 8).to_bytes(2, "big") + ident
    preimage += b"".join(_int32(v) for v in (A, B, GX, GY, x, y))
    return sm3(preimage)


def encode_signature(r: int, s: int) -> bytes:
    """DER ``SEQUENCE {INTEGER r, INTEGER s}``."""
    if not (1 <= r < N and 1 <= s < N):
        raise ValueError("r and s of an SM2 signature lie in [1, n-1]")
    return bytes(_ECSignature({"r": r, "s": s}).dump())


def decode_signature(der: bytes) -> tuple[int, int]:
    """(r, s) from a strict DER signature; raises :class:`InvalidEncoding` otherwise.

    Range checks belong to verification: a well-formed signature with r = 0 is merely invalid.
    """
    der = bytes(der)
    try:
        # asn1crypto's parser on the three elements (its Sequence class is five times slower
        # and this runs on every verification); strict: nothing may follow the SEQUENCE.
        cls, constructed, tag, _header, content, _trailer = asn1_parser.parse(der, strict=True)
        if (cls, constructed, tag) != (0, 1, 16):
            raise ValueError("expected a SEQUENCE")
        r, rest = _integer(content)
        s, rest = _integer(rest)
        if rest:
            raise ValueError("data after the two INTEGERs")
        canonical = asn1_parser.emit(0, 1, 16, core.Integer(r).dump() + core.Integer(s).dump())
    except ASN1_PARSE_ERRORS as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise InvalidEncoding(f"not a DER SM2 signature: {reason}") from None
    if canonical != der:
        raise InvalidEncoding("not a DER SM2 signature: not the canonical DER encoding")
    return int(r), int(s)


def _integer(data: bytes) -> tuple[int, bytes]:
    """One INTEGER from the front of ``data``, and what follows it."""
    cls, constructed, tag, header, content, _trailer = asn1_parser.parse(data)
    if (cls, constructed, tag) != (0, 0, 2):
        raise ValueError("expected an INTEGER")
    return int.from_bytes(content, "big", signed=True), data[len(header) + len(content) :]


def _consume_errors() -> None:
    _backend._consume_errors()


@contextmanager
def _pkey_ctx(evp_pkey: Any) -> Iterator[Any]:
    """An ``EVP_PKEY_CTX`` for the key, freed on leaving the block."""
    if _lib.EVP_PKEY_id(evp_pkey) != _lib.EVP_PKEY_SM2:
        # Without the SM2 alias Tongsuo would run plain ECDSA.
        raise InvalidKey("the key is not marked as an SM2 key")
    ctx = _lib.EVP_PKEY_CTX_new(evp_pkey, _ffi.NULL)
    if ctx == _ffi.NULL:
        _consume_errors()
        raise MemoryError("EVP_PKEY_CTX_new failed")
    try:
        yield ctx
    finally:
        _lib.EVP_PKEY_CTX_free(ctx)


def _two_pass(call: Callable[[Any, Any], int]) -> bytes | None:
    """Run an OpenSSL ``(out, outlen)`` function: size it, then fill it; None on failure."""
    outlen = _ffi.new("size_t *")
    if call(_ffi.NULL, outlen) != 1:
        _consume_errors()
        return None
    buf = _ffi.new("unsigned char[]", max(outlen[0], 1))
    if call(buf, outlen) != 1:
        _consume_errors()
        return None
    return bytes(_ffi.buffer(buf)[: outlen[0]])


class SM2PublicKey:
    """An SM2 public key (a point of sm2p256v1)."""

    def __init__(self, key: ec.EllipticCurvePublicKey) -> None:
        if not isinstance(key.curve, ec.SM2):
            raise InvalidKey("not a key on the SM2 curve")
        self._key = key
        numbers = key.public_numbers()
        self._x: int = numbers.x
        self._y: int = numbers.y
        self._za: dict[bytes, bytes] = {}

    @property
    def x(self) -> int:
        return self._x

    @property
    def y(self) -> int:
        return self._y

    @classmethod
    def from_point(cls, point: bytes) -> SM2PublicKey:
        """From the SEC 1 encoding 04||x||y (or the compressed 02/03||x); checked on the curve."""
        try:
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SM2(), bytes(point))
        except (ValueError, TypeError) as exc:
            _consume_errors()
            raise InvalidKey(f"not a point of sm2p256v1: {exc}") from None
        return cls(key)

    def to_point(self) -> bytes:
        """The uncompressed SEC 1 point 04 || x || y (65 bytes)."""
        return b"\x04" + _int32(self.x) + _int32(self.y)

    def za(self, distinguishing_id: bytes | str = DEFAULT_ID) -> bytes:
        """Z_A for this key and ID; remembered, since a key is used with one or two IDs."""
        ident = _id_bytes(distinguishing_id)
        found = self._za.get(ident)
        if found is None:
            found = compute_za(self.x, self.y, ident)
            if len(self._za) < _ZA_CACHE_SIZE:
                self._za[ident] = found
        return found

    def digest(self, message: bytes, distinguishing_id: bytes | str = DEFAULT_ID) -> bytes:
        """e = SM3(Z_A || M), the value that is actually signed."""
        return sm3(self.za(distinguishing_id), message)

    def verify(
        self, signature: bytes, message: bytes, *, distinguishing_id: bytes | str = DEFAULT_ID
    ) -> None:
        """Return if ``signature`` (DER) is valid for ``message``; raise InvalidSignature."""
        signature, message = bytes(signature), bytes(message)
        try:
            r, s = decode_signature(signature)
        except InvalidEncoding as exc:
            raise InvalidSignature(exc.message) from None
        if not (1 <= r < N and 1 <= s < N):
            raise InvalidSignature("SM2 signature values are out of range")
        e = self.digest(message, distinguishing_id)
        with _pkey_ctx(self._key._evp_pkey) as ctx:
            if _lib.EVP_PKEY_verify_init(ctx) != 1:
                _consume_errors()
                raise InvalidKey("the key cannot verify SM2 signatures")
            ok = _lib.EVP_PKEY_verify(ctx, signature, len(signature), e, len(e))
        if ok != 1:
            _consume_errors()
            raise InvalidSignature("the SM2 signature does not match")

    def encrypt(self, plaintext: bytes, *, fmt: CiphertextFormat = CiphertextFormat.ASN1) -> bytes:
        """SM2-encrypt ``plaintext`` (with SM3 as hash and KDF digest)."""
        if not plaintext:
            raise SMError("SM2 cannot encrypt an empty message", code="empty_plaintext")
        data = bytes(plaintext)
        with _pkey_ctx(self._key._evp_pkey) as ctx:
            if _lib.EVP_PKEY_encrypt_init(ctx) != 1:
                _consume_errors()
                raise InvalidKey("the key cannot encrypt")
            der = _two_pass(lambda out, n: _lib.EVP_PKEY_encrypt(ctx, out, n, data, len(data)))
        if der is None:
            raise SMError("SM2 encryption failed in Tongsuo")
        return _from_asn1(der, fmt)

    def to_spki_der(self) -> bytes:
        """SubjectPublicKeyInfo: id-ecPublicKey with namedCurve sm2p256v1."""
        return bytes(
            self._key.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SM2PublicKey):
            return NotImplemented
        return (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))

    def __repr__(self) -> str:
        return f"<SM2PublicKey x={self.x:064x}>"


class SM2PrivateKey:
    """An SM2 private key d, 1 <= d <= n - 2, with its public key d·G."""

    def __init__(self, key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(key.curve, ec.SM2):
            raise InvalidKey("not a key on the SM2 curve")
        self._key = key
        self._public = SM2PublicKey(key.public_key())

    @classmethod
    def generate(cls) -> SM2PrivateKey:
        """A fresh key from Tongsuo's random generator."""
        while True:
            key = cls(ec.generate_private_key(ec.SM2()))
            # d = n - 1 is a valid ECDSA key but not an SM2 one (1 + d has no inverse).
            if key.private_value <= N - 2:
                return key

    @classmethod
    def from_private_value(cls, d: int) -> SM2PrivateKey:
        if not 1 <= d <= N - 2:
            raise InvalidKey("an SM2 private key lies in [1, n-2]")
        return cls(ec.derive_private_key(d, ec.SM2()))

    @property
    def private_value(self) -> int:
        # The scalar straight from Tongsuo's EC_KEY: ``private_numbers()`` would also derive
        # the public numbers, twenty times the cost (keygen checks d for every key).
        bn = _lib.EC_KEY_get0_private_key(self._key._ec_key)
        if bn == _ffi.NULL:
            return int(self._key.private_numbers().private_value)
        return int(_backend._bn_to_int(bn))

    def public_key(self) -> SM2PublicKey:
        return self._public

    def sign(self, message: bytes, *, distinguishing_id: bytes | str = DEFAULT_ID) -> bytes:
        """The DER SM2 signature of ``message`` for this key and ID (random k)."""
        e = self._public.digest(bytes(message), distinguishing_id)
        with _pkey_ctx(self._key._evp_pkey) as ctx:
            if _lib.EVP_PKEY_sign_init(ctx) != 1:
                _consume_errors()
                raise InvalidKey("the key cannot sign")
            der = _two_pass(lambda out, n: _lib.EVP_PKEY_sign(ctx, out, n, e, len(e)))
        if der is None:
            raise SMError("SM2 signing failed in Tongsuo")
        return der

    def decrypt(self, ciphertext: bytes, *, fmt: CiphertextFormat = CiphertextFormat.ASN1) -> bytes:
        """Decrypt and check C3; raises :class:`DecryptionError` on any failure."""
        der = _to_asn1(bytes(ciphertext), fmt)
        with _pkey_ctx(self._key._evp_pkey) as ctx:
            if _lib.EVP_PKEY_decrypt_init(ctx) != 1:
                _consume_errors()
                raise InvalidKey("the key cannot decrypt")
            plain = _two_pass(lambda out, n: _lib.EVP_PKEY_decrypt(ctx, out, n, der, len(der)))
        if plain is None:
            raise DecryptionError("SM2 decryption failed (wrong key or altered ciphertext)")
        return plain

    def to_pkcs8_der(self) -> bytes:
        """Unencrypted PKCS#8 PrivateKeyInfo (id-ecPublicKey, namedCurve sm2p256v1)."""
        return bytes(
            self._key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    def __repr__(self) -> str:
        return f"<SM2PrivateKey public x={self._public.x:064x}>"


def _from_asn1(der: bytes, fmt: CiphertextFormat) -> bytes:
    if fmt is CiphertextFormat.ASN1:
        return der
    parsed = _SM2Cipher.load(der, strict=True)
    c1 = b"\x04" + _int32(parsed["x"].native) + _int32(parsed["y"].native)
    c3, c2 = bytes(parsed["hash"].native), bytes(parsed["ciphertext"].native)
    return c1 + (c3 + c2 if fmt is CiphertextFormat.C1C3C2 else c2 + c3)


def _to_asn1(data: bytes, fmt: CiphertextFormat) -> bytes:
    """A canonical DER SM2Cipher from any accepted form; DecryptionError if malformed."""
    if fmt is CiphertextFormat.ASN1:
        try:
            parsed = _SM2Cipher.load(data, strict=True)
            x, y = int(parsed["x"].native), int(parsed["y"].native)
            c3, c2 = bytes(parsed["hash"].native), bytes(parsed["ciphertext"].native)
        except ASN1_PARSE_ERRORS as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise DecryptionError(f"not a GM/T 0009 SM2 ciphertext: {reason}") from None
    else:
        if len(data) < 1 + 2 * _FIELD_BYTES + 32 + 1 or data[0] != 0x04:
            raise DecryptionError("not a raw SM2 ciphertext (04 || x1 || y1 || ...)")
        x = int.from_bytes(data[1:33], "big")
        y = int.from_bytes(data[33:65], "big")
        rest = data[65:]
        c3, c2 = (
            (rest[:32], rest[32:]) if fmt is CiphertextFormat.C1C3C2 else (rest[-32:], rest[:-32])
        )
    if not (0 <= x < P and 0 <= y < P) or len(c3) != 32 or not c2:
        raise DecryptionError("SM2 ciphertext fields are out of range")
    return bytes(_SM2Cipher({"x": x, "y": y, "hash": c3, "ciphertext": c2}).dump())
