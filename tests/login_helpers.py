"""Shared by the login tests (tests/integration/login, tests/e2e)."""

import base64

PASSWORD = "Holder-Pass-77"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
