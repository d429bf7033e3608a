"""anbao.oidc.keys: the ID token signing key is made once, 0600, where configured."""

from __future__ import annotations

import stat

from anbao.oidc import keys


def test_key_is_created_once_with_mode_0600(tmp_path):
    path = keys.key_path(tmp_path, {})
    assert path == tmp_path / "oidc" / "rsa.pem"
    first = keys.load_or_create(path)
    assert first.startswith("-----BEGIN PRIVATE KEY-----")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.load_or_create(path) == first


def test_env_names_another_file(tmp_path):
    named = tmp_path / "elsewhere.pem"
    assert keys.key_path(tmp_path, {keys.KEY_FILE_ENV: str(named)}) == named


def test_lazy_key_touches_nothing_until_used(tmp_path):
    lazy = keys.lazy_private_key(tmp_path)
    assert not (tmp_path / "oidc").exists()
    assert str(lazy).startswith("-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "oidc" / "rsa.pem").exists()
