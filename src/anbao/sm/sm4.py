"""SM4 block cipher (GB/T 32907-2016) in ECB, CBC, CTR and GCM modes.

Keys are 16 bytes. ECB and CBC pad with PKCS#7 unless ``padding=False`` (then the data must be
a whole number of 16-byte blocks). CTR uses the whole 16-byte block as a big-endian counter,
as OpenSSL does. GCM (GB/T 36624 / RFC 8998) returns ``ciphertext || 16-byte tag``.

ECB leaks equal blocks and exists for test vectors and legacy formats; new data should use
GCM. OpenSSL 3.0's command line has no SM4-GCM (see docs/interop.md).
"""

from __future__ import annotations

import hmac
from typing import Final

from tongsuopy.crypto.ciphers import Cipher, aead, algorithms, modes
from tongsuopy.crypto.exceptions import InvalidTag

from anbao.sm.errors import DecryptionError

__all__ = [
    "BLOCK_SIZE",
    "KEY_SIZE",
    "TAG_SIZE",
    "cbc_decrypt",
    "cbc_encrypt",
    "ctr_decrypt",
    "ctr_encrypt",
    "ecb_decrypt",
    "ecb_encrypt",
    "gcm_decrypt",
    "gcm_encrypt",
]

KEY_SIZE: Final = 16
BLOCK_SIZE: Final = 16
TAG_SIZE: Final = 16


def _check_key(key: bytes) -> None:
    if len(key) != KEY_SIZE:
        raise ValueError(f"an SM4 key is {KEY_SIZE} bytes, not {len(key)}")


def _check_iv(iv: bytes) -> None:
    if len(iv) != BLOCK_SIZE:
        raise ValueError(f"an SM4 IV or counter block is {BLOCK_SIZE} bytes, not {len(iv)}")


def _pad(data: bytes) -> bytes:
    n = BLOCK_SIZE - len(data) % BLOCK_SIZE
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    if not data or len(data) % BLOCK_SIZE:
        raise DecryptionError("SM4 ciphertext is not a whole number of blocks")
    n = data[-1]
    if not 1 <= n <= BLOCK_SIZE or not hmac.compare_digest(data[-n:], bytes([n]) * n):
        raise DecryptionError("SM4 padding is wrong (wrong key or damaged data)")
    return data[:-n]


def _run(mode: modes.Mode, key: bytes, data: bytes, *, encrypt: bool) -> bytes:
    cipher = Cipher(algorithms.SM4(key), mode)
    ctx = cipher.encryptor() if encrypt else cipher.decryptor()
    return bytes(ctx.update(data)) + bytes(ctx.finalize())


def _whole_blocks(data: bytes) -> None:
    if len(data) % BLOCK_SIZE:
        raise ValueError("without padding the data must be a whole number of 16-byte blocks")


def ecb_encrypt(key: bytes, plaintext: bytes, *, padding: bool = True) -> bytes:
    _check_key(key)
    data = _pad(plaintext) if padding else plaintext
    _whole_blocks(data)
    return _run(modes.ECB(), key, data, encrypt=True)


def ecb_decrypt(key: bytes, ciphertext: bytes, *, padding: bool = True) -> bytes:
    _check_key(key)
    if len(ciphertext) % BLOCK_SIZE:
        raise DecryptionError("SM4 ciphertext is not a whole number of blocks")
    data = _run(modes.ECB(), key, ciphertext, encrypt=False)
    return _unpad(data) if padding else data


def cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes, *, padding: bool = True) -> bytes:
    _check_key(key)
    _check_iv(iv)
    data = _pad(plaintext) if padding else plaintext
    _whole_blocks(data)
    return _run(modes.CBC(iv), key, data, encrypt=True)


def cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes, *, padding: bool = True) -> bytes:
    _check_key(key)
    _check_iv(iv)
    if len(ciphertext) % BLOCK_SIZE:
        raise DecryptionError("SM4 ciphertext is not a whole number of blocks")
    data = _run(modes.CBC(iv), key, ciphertext, encrypt=False)
    return _unpad(data) if padding else data


def ctr_encrypt(key: bytes, counter_block: bytes, plaintext: bytes) -> bytes:
    """Encrypt in CTR mode; ``counter_block`` is the first 16-byte counter value."""
    _check_key(key)
    _check_iv(counter_block)
    return _run(modes.CTR(counter_block), key, plaintext, encrypt=True)


def ctr_decrypt(key: bytes, counter_block: bytes, ciphertext: bytes) -> bytes:
    """CTR decryption is the same keystream XOR as encryption."""
    return ctr_encrypt(key, counter_block, ciphertext)


def _check_nonce(nonce: bytes) -> None:
    # 12 bytes is the recommended size; tongsuopy accepts 8 to 128.
    if not 8 <= len(nonce) <= 128:
        raise ValueError("an SM4-GCM nonce is 8 to 128 bytes (12 recommended)")


def gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes = b"") -> bytes:
    """Encrypt and authenticate; returns ``ciphertext || tag`` (16-byte tag).

    Never reuse a nonce with the same key: GCM then loses both secrecy and integrity.
    """
    _check_key(key)
    _check_nonce(nonce)
    return bytes(aead.SM4GCM(key).encrypt(nonce, plaintext, associated_data))


def gcm_decrypt(
    key: bytes, nonce: bytes, ciphertext_and_tag: bytes, associated_data: bytes = b""
) -> bytes:
    """Check the tag and decrypt; raises :class:`DecryptionError` if anything was altered."""
    _check_key(key)
    _check_nonce(nonce)
    if len(ciphertext_and_tag) < TAG_SIZE:
        raise DecryptionError("SM4-GCM data is shorter than its 16-byte tag")
    try:
        return bytes(aead.SM4GCM(key).decrypt(nonce, ciphertext_and_tag, associated_data))
    except InvalidTag:
        raise DecryptionError("SM4-GCM tag does not match (wrong key or altered data)") from None
