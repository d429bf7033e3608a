"""Configuration from the environment (pure)."""

from pathlib import Path

import pytest

from anbao import conf
from anbao.errors import ConfigurationError


def test_defaults(tmp_path):
    s = conf.from_environ({})
    assert s.data_dir == Path("./var").resolve()
    assert s.language == "zh-hans" and s.broker_url == "" and s.audit_retention_days == 180
    assert s.password_max_age_days == 90 and s.session_idle_seconds == 900
    assert "127.0.0.1" in s.allowed_hosts


def test_sqlite_default_lives_in_the_data_dir(tmp_path):
    db = conf.database_config("", tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "anbao.sqlite3")


def test_postgres_url(tmp_path):
    db = conf.database_config("postgres://anbao:p%40ss@db.internal:5433/anbao", tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == (
        "anbao",
        "p@ss",
        "db.internal",
        "5433",
        "anbao",
    )


def test_dm_url_selects_the_dm_backend(tmp_path):
    db = conf.database_config("dm://SYSDBA:secret@10.0.0.5/ANBAO", tmp_path)
    assert db["ENGINE"] == "dmDjango"
    assert db["PORT"] == "5236" and db["USER"] == "SYSDBA" and db["NAME"] == "ANBAO"


def test_unknown_scheme_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="mysql"):
        conf.database_config("mysql://root@localhost/x", tmp_path)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ANBAO_LANGUAGE": "fr"}, "ANBAO_LANGUAGE"),
        ({"ANBAO_AUDIT_RETENTION_DAYS": "30"}, "at least 180"),
        ({"ANBAO_AUDIT_RETENTION_DAYS": "many"}, "integer"),
        ({"ANBAO_SECURE_COOKIES": "maybe"}, "true or false"),
    ],
)
def test_bad_values_are_named(env, message):
    with pytest.raises(ConfigurationError, match=message):
        conf.from_environ(env)


def test_secret_key_is_created_once_with_mode_0600(tmp_path):
    path = conf.create_secret_key(tmp_path / "d")
    assert path.stat().st_mode & 0o777 == 0o600
    first = conf.read_secret_key(tmp_path / "d")
    conf.create_secret_key(tmp_path / "d")
    assert conf.read_secret_key(tmp_path / "d") == first and len(first) > 40
