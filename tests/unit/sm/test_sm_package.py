"""The shape of anbao.sm: its public names, and a core free of Django and I/O."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import anbao.sm

PURE = ["__init__", "errors", "sm2", "sm3", "sm4", "encoding"]
FORBIDDEN = {"django", "rest_framework", "celery", "requests", "subprocess", "socket", "pathlib"}
SRC = Path(anbao.sm.__file__).parent


def test_public_names_are_pinned():
    assert sorted(anbao.sm.__all__) == sorted(
        [
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
    )
    for name in anbao.sm.__all__:
        assert hasattr(anbao.sm, name)


def test_errors_are_validation_errors():
    from anbao.errors import ValidationError

    assert issubclass(anbao.sm.SMError, ValidationError)
    for name in ("InvalidSignature", "InvalidKey", "InvalidEncoding", "DecryptionError"):
        assert issubclass(getattr(anbao.sm, name), anbao.sm.SMError)
    assert issubclass(anbao.sm.BadPassphrase, anbao.sm.InvalidKey)


def test_pure_modules_import_no_framework_or_io():
    for module in PURE:
        tree = ast.parse((SRC / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in FORBIDDEN, f"{module}.py imports {name}"
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "open":
                raise AssertionError(f"{module}.py calls open()")


def test_core_imports_without_django():
    code = "import sys, anbao.sm; assert 'django' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
