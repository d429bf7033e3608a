"""Fixtures of the OIDC tests: registered clients."""

from __future__ import annotations

import pytest
from oidc_helpers import REDIRECT


@pytest.fixture
def register(db):
    from anbao.oidc import services

    def make(name="精神卫生信息系统", redirect=REDIRECT, **options):
        client, secret = services.register_client(name, [redirect], actor="test", **options)
        return client, secret

    return make


@pytest.fixture
def oidc_client(register):
    client, secret = register()
    client.raw_secret = secret
    return client
