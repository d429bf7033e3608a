"""Chinese national cryptography (SM2, SM3, SM4): pure functions over Tongsuo, no Django, no I/O.

The public names are re-exported here; ``anbao.sm.sm4`` holds the SM4 modes and
``anbao.sm.encoding`` the PEM/DER readers and writers. ``verify`` raises
:class:`InvalidSignature` and never returns a boolean.
"""

from anbao.sm.encoding import (
    load_certificate_public_key,
    load_private_key,
    load_public_key,
    load_signature,
    private_key_to_der,
    private_key_to_pem,
    public_key_to_der,
    public_key_to_pem,
)
from anbao.sm.errors import (
    BadPassphrase,
    DecryptionError,
    InvalidEncoding,
    InvalidKey,
    InvalidSignature,
    SMError,
)
from anbao.sm.sm2 import (
    DEFAULT_ID,
    CiphertextFormat,
    SM2PrivateKey,
    SM2PublicKey,
    compute_za,
    decode_signature,
    encode_signature,
)
from anbao.sm.sm3 import SM3Hash, hmac_sm3, sm3, verify_hmac_sm3

__all__ = [
    "DEFAULT_ID",
    "BadPassphrase",
    "CiphertextFormat",
    "DecryptionError",
    "InvalidEncoding",
    "InvalidKey",
    "InvalidSignature",
    "SM2PrivateKey",
    "SM2PublicKey",
    "SM3Hash",
    "SMError",
    "compute_za",
    "decode_signature",
    "encode_signature",
    "hmac_sm3",
    "load_certificate_public_key",
    "load_private_key",
    "load_public_key",
    "load_signature",
    "private_key_to_der",
    "private_key_to_pem",
    "public_key_to_der",
    "public_key_to_pem",
    "sm3",
    "verify_hmac_sm3",
]
