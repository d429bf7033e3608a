"""Helpers for the management tests: an SM2 CSR built in Python, a signed-in administrator."""

from __future__ import annotations

from asn1crypto import csr, keys, pem

from anbao.pki.core.certificates import sm2_algorithm
from anbao.pki.core.names import build_name
from anbao.sm import SM2PrivateKey


def make_csr(common_name: str = "张三") -> tuple[SM2PrivateKey, bytes]:
    """A PKCS#10 request for a fresh SM2 key, signed with the default ID, as PEM."""
    key = SM2PrivateKey.generate()
    info = csr.CertificationRequestInfo(
        {
            "version": "v1",
            "subject": build_name({"country_name": "CN", "common_name": common_name}),
            "subject_pk_info": keys.PublicKeyInfo.load(key.public_key().to_spki_der()),
            "attributes": [],
        }
    )
    request = csr.CertificationRequest(
        {
            "certification_request_info": info,
            "signature_algorithm": sm2_algorithm(),
            "signature": key.sign(info.dump()),
        }
    )
    return key, bytes(pem.armor("CERTIFICATE REQUEST", request.dump()))
