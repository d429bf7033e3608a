from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from services import require_program


@pytest.fixture
def ca(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    from anbao.pki.services.authority import init_ca

    return init_ca("CN=测试 CA,O=某市人民医院,C=CN", actor="test")


@pytest.fixture
def invite(ca):
    """``invite(**overrides)`` → (invitation, code) for a default PC holder."""
    from anbao.enrolment import services

    def make(**overrides):
        values = {"name": "李医生", "email": "li@hospital.example", "unit": "心内科"}
        values.update(overrides)
        return services.create_invitation(actor="test", **values)

    return make


@pytest.fixture
def openssl_csr(tmp_path):
    """``openssl_csr(curve, distid)`` → (csr PEM, key PEM) made by OpenSSL, as a device would."""
    openssl = require_program("openssl")

    def make(curve: str = "SM2", distid: str | None = "1234567812345678"):
        return _openssl_csr(openssl, tmp_path, curve, distid)

    return make


def _openssl_csr(openssl: str, tmp_path: Path, curve: str, distid: str | None):
    key, csr = tmp_path / f"{curve}.key", tmp_path / f"{curve}.csr"
    subprocess.run(
        [openssl, "ecparam", "-genkey", "-name", curve, "-noout", "-out", str(key)], check=True
    )
    cmd = [openssl, "req", "-new", "-key", str(key), "-subj", "/CN=device", "-out", str(csr)]
    if curve == "SM2":
        cmd += ["-sm3"]
        if distid is not None:
            cmd += ["-sigopt", f"distid:{distid}"]
    subprocess.run(cmd, check=True, capture_output=True)
    return csr.read_bytes(), key.read_bytes()
