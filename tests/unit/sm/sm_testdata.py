"""Helpers for the SM tests: the published vectors under tests/vectors/sm, a test certificate.

A plain module (not conftest.py) so that its name cannot clash with other directories' conftest."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asn1crypto import core, keys, x509

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "sm"


def load_vectors(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / f"{name}.json").read_text(encoding="utf-8"))


def make_certificate(spki_der: bytes) -> bytes:
    """A structurally valid X.509 certificate around a public key; its signature is junk,
    which is all anbao.sm needs (it only extracts the key)."""
    name = x509.Name.build({"common_name": "anbao test"})
    sig_alg = {"algorithm": "1.2.156.10197.1.501"}
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": 1,
            "signature": sig_alg,
            "issuer": name,
            "validity": {
                "not_before": x509.Time({"utc_time": core.UTCTime("260101000000Z").native}),
                "not_after": x509.Time({"utc_time": core.UTCTime("270101000000Z").native}),
            },
            "subject": name,
            "subject_public_key_info": keys.PublicKeyInfo.load(spki_der),
        }
    )
    cert = x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": sig_alg, "signature_value": b"\x00"}
    )
    return bytes(cert.dump())
