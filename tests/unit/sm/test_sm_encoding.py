"""Key and signature encodings: structure, round trips, and refusals with the module's errors."""

from __future__ import annotations

import pytest
from asn1crypto import algos, core, keys, pem
from sm_testdata import make_certificate

from anbao.sm import (
    BadPassphrase,
    InvalidEncoding,
    InvalidKey,
    SM2PrivateKey,
    load_certificate_public_key,
    load_private_key,
    load_public_key,
    load_signature,
    private_key_to_der,
    private_key_to_pem,
    public_key_to_der,
    public_key_to_pem,
)
from anbao.sm.encoding import SM4_CBC_OID

KEY = SM2PrivateKey.generate()
FAST = {"iterations": 1000}  # the default 600,000 is exercised once, in the CLI tests
EC_OID, SM2_OID = "1.2.840.10045.2.1", "1.2.156.10197.1.301"


def test_spki_is_ec_public_key_on_sm2p256v1():
    spki = keys.PublicKeyInfo.load(public_key_to_der(KEY.public_key()))
    assert spki["algorithm"]["algorithm"].dotted == EC_OID
    assert spki["algorithm"]["parameters"].chosen.dotted == SM2_OID
    assert bytes(spki["public_key"]) == KEY.public_key().to_point()


def test_pkcs8_structure():
    info = keys.PrivateKeyInfo.load(private_key_to_der(KEY))
    assert info["version"].native == 0
    assert info["private_key_algorithm"]["algorithm"].dotted == EC_OID
    assert info["private_key_algorithm"]["parameters"].chosen.dotted == SM2_OID
    assert info["private_key"].parsed["private_key"].native == KEY.private_value


def test_encrypted_pkcs8_structure():
    info = keys.EncryptedPrivateKeyInfo.load(
        private_key_to_der(KEY, b"pass", iterations=1000, random_bytes=lambda n: b"\x01" * n)
    )
    scheme = info["encryption_algorithm"]
    assert scheme["algorithm"].native == "pbes2"
    kdf = scheme["parameters"]["key_derivation_func"]
    assert kdf["algorithm"].native == "pbkdf2"
    assert kdf["parameters"]["iteration_count"].native == 1000
    assert kdf["parameters"]["prf"]["algorithm"].native == "sha256"
    assert kdf["parameters"]["salt"].native == b"\x01" * 16
    enc = scheme["parameters"]["encryption_scheme"]
    assert enc["algorithm"].dotted == SM4_CBC_OID
    assert enc["parameters"].native == b"\x01" * 16


@pytest.mark.parametrize("armor", [True, False])
def test_private_round_trips(armor):
    encode = private_key_to_pem if armor else private_key_to_der
    for passphrase in (None, b"pass", "密码".encode()):
        blob = encode(KEY, passphrase, **FAST)
        loaded = load_private_key(blob, passphrase)
        assert loaded.private_value == KEY.private_value
        assert loaded.public_key() == KEY.public_key()


def test_public_round_trips():
    assert load_public_key(public_key_to_pem(KEY.public_key())) == KEY.public_key()
    assert load_public_key(public_key_to_der(KEY.public_key())) == KEY.public_key()


def test_pem_labels():
    assert private_key_to_pem(KEY).startswith(b"-----BEGIN PRIVATE KEY-----")
    assert private_key_to_pem(KEY, b"x", **FAST).startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY")
    assert public_key_to_pem(KEY.public_key()).startswith(b"-----BEGIN PUBLIC KEY-----")


def test_passphrase_errors():
    encrypted = private_key_to_pem(KEY, b"right", **FAST)
    with pytest.raises(BadPassphrase) as missing:
        load_private_key(encrypted)
    assert missing.value.code == "passphrase_required"
    with pytest.raises(BadPassphrase) as wrong:
        load_private_key(encrypted, b"wrong")
    assert wrong.value.code == "bad_passphrase"
    with pytest.raises(BadPassphrase) as unexpected:
        load_private_key(private_key_to_pem(KEY), b"right")
    assert unexpected.value.code == "passphrase_unexpected"


def test_empty_passphrase_is_a_programming_error():
    with pytest.raises(ValueError):
        private_key_to_der(KEY, b"")


def _sec1(d: int, public: bytes | None, curve: str = SM2_OID) -> bytes:
    value = {"version": "ecPrivkeyVer1", "private_key": d, "parameters": ("named", curve)}
    if public is not None:
        value["public_key"] = public
    return keys.ECPrivateKey(value).dump()


def test_sec1_is_read():
    blob = pem.armor("EC PRIVATE KEY", _sec1(KEY.private_value, KEY.public_key().to_point()))
    params = pem.armor("SM2 PARAMETERS", core.ObjectIdentifier(SM2_OID).dump())
    # openssl ecparam -genkey writes the parameters block first.
    assert load_private_key(params + blob).private_value == KEY.private_value
    # OpenSSL 3's ``openssl ec`` labels SEC 1 keys on the SM2 curve "SM2 PRIVATE KEY".
    sm2_label = pem.armor("SM2 PRIVATE KEY", _sec1(KEY.private_value, None))
    assert load_private_key(sm2_label).private_value == KEY.private_value


def test_inconsistent_embedded_public_key_is_refused():
    other = SM2PrivateKey.generate().public_key().to_point()
    with pytest.raises(InvalidKey):
        load_private_key(_sec1(KEY.private_value, other))


def test_other_curve_is_refused():
    with pytest.raises(InvalidKey):
        load_private_key(_sec1(KEY.private_value, None, curve="1.2.840.10045.3.1.7"))
    spki = keys.PublicKeyInfo.load(public_key_to_der(KEY.public_key()))
    p256 = keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "ec", "parameters": ("named", "1.2.840.10045.3.1.7")},
            "public_key": bytes(spki["public_key"]),
        }
    )
    with pytest.raises(InvalidKey):
        load_public_key(p256.dump())


def test_rsa_algorithm_is_refused():
    rsa = keys.PublicKeyInfo(
        {
            "algorithm": {"algorithm": "rsa"},
            "public_key": keys.RSAPublicKey({"modulus": 3233, "public_exponent": 17}),
        }
    )
    with pytest.raises(InvalidKey):
        load_public_key(rsa.dump())


def test_certificate_public_key():
    der = make_certificate(public_key_to_der(KEY.public_key()))
    assert load_certificate_public_key(der) == KEY.public_key()
    assert load_certificate_public_key(pem.armor("CERTIFICATE", der)) == KEY.public_key()


def test_signature_pem_or_der():
    sig = KEY.sign(b"m")
    assert load_signature(sig) == sig
    assert load_signature(pem.armor("SM2 SIGNATURE", sig)) == sig


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"\x30\x00",
        b"\x30\x06\x02\x01\x01\x02\x01\x01\x00",  # trailing byte
        b"\x30\x07\x02\x02\x00\x01\x02\x01\x01",  # non-minimal INTEGER
        b"\x30\x80\x02\x01\x01\x02\x01\x01\x00\x00",  # BER indefinite length
        b"-----BEGIN SIGNATURE-----\n!!!\n-----END SIGNATURE-----\n",
    ],
)
def test_signature_encoding_errors(blob):
    with pytest.raises(InvalidEncoding):
        load_signature(blob)


def test_truncated_signature():
    sig = KEY.sign(b"m")
    for n in range(len(sig)):
        with pytest.raises(InvalidEncoding):
            load_signature(sig[:n])


def test_wrong_pem_label():
    with pytest.raises(InvalidEncoding):
        load_public_key(private_key_to_pem(KEY))
    with pytest.raises(InvalidEncoding):
        load_private_key(public_key_to_pem(KEY.public_key()))


def test_legacy_encrypted_pem_headers_are_refused():
    blob = pem.armor(
        "EC PRIVATE KEY",
        _sec1(KEY.private_value, None),
        headers={"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"},
    )
    with pytest.raises(InvalidEncoding):
        load_private_key(blob)


def test_unsupported_pbes_scheme_reads_as_bad_passphrase():
    info = keys.EncryptedPrivateKeyInfo.load(private_key_to_der(KEY, b"p", **FAST))
    broken = keys.EncryptedPrivateKeyInfo(
        {
            "encryption_algorithm": algos.EncryptionAlgorithm(
                {"algorithm": "1.2.3.4", "parameters": core.Null()}
            ),
            "encrypted_data": info["encrypted_data"].native,
        }
    )
    with pytest.raises(BadPassphrase):
        load_private_key(broken.dump(), b"p")
