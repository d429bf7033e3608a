"""Runtime configuration read from the environment: pure functions, no Django.

Every setting is documented in docs/configuration.md; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from anbao.errors import ConfigurationError

SECRET_KEY_FILE = "secret_key"
# Each server thread keeps its database connection between requests: opening one (and, for
# SQLite, running the PRAGMAs below) costs more than a whole signature verification.
PERSISTENT_CONNECTION_SECONDS = 600
# Writers queue for up to 30 s instead of failing; BEGIN IMMEDIATE takes the write lock at the
# start so a read-then-write transaction cannot deadlock; WAL lets readers go on while one
# writer writes, and synchronous=NORMAL is durable across application crashes in WAL mode.
SQLITE_OPTIONS: dict[str, object] = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
MIN_AUDIT_RETENTION_DAYS = 180


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    broker_url: str
    allowed_hosts: tuple[str, ...]
    language: str
    audit_retention_days: int
    password_max_age_days: int
    session_idle_seconds: int
    secure_cookies: bool
    site_url: str
    cert_login_admins: str
    cert_login_holders: str


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}")
    return value


def _bool(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


def from_environ(env: dict[str, str] | None = None) -> Settings:
    """Read anbao's settings from ``env`` (default: the process environment)."""
    env = dict(os.environ if env is None else env)
    data_dir = Path(env.get("ANBAO_DATA_DIR") or "./var").resolve()
    language = (env.get("ANBAO_LANGUAGE") or "zh-hans").strip().lower()
    if language not in {"zh-hans", "en"}:
        raise ConfigurationError(f"ANBAO_LANGUAGE must be zh-hans or en, got {language!r}")
    hosts = tuple(
        h.strip()
        for h in (env.get("ANBAO_ALLOWED_HOSTS") or "127.0.0.1,localhost,[::1]").split(",")
        if h.strip()
    )
    admins = (env.get("ANBAO_CERT_LOGIN_ADMINS") or "enrolled").strip().lower()
    if admins not in {"required", "enrolled"}:
        raise ConfigurationError(
            f"ANBAO_CERT_LOGIN_ADMINS must be required or enrolled, got {admins!r}"
        )
    holders = (env.get("ANBAO_CERT_LOGIN_HOLDERS") or "required").strip().lower()
    if holders not in {"required", "optional"}:
        raise ConfigurationError(
            f"ANBAO_CERT_LOGIN_HOLDERS must be required or optional, got {holders!r}"
        )
    return Settings(
        data_dir=data_dir,
        database_url=env.get("DATABASE_URL", "").strip(),
        broker_url=env.get("CELERY_BROKER_URL", "").strip(),
        allowed_hosts=hosts,
        language=language,
        audit_retention_days=_int(
            env, "ANBAO_AUDIT_RETENTION_DAYS", MIN_AUDIT_RETENTION_DAYS, MIN_AUDIT_RETENTION_DAYS
        ),
        password_max_age_days=_int(env, "ANBAO_PASSWORD_MAX_AGE_DAYS", 90, 0),
        session_idle_seconds=_int(env, "ANBAO_SESSION_IDLE_SECONDS", 15 * 60, 60),
        secure_cookies=_bool(env, "ANBAO_SECURE_COOKIES", False),
        site_url=(env.get("ANBAO_SITE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        cert_login_admins=admins,
        cert_login_holders=holders,
    )


def database_config(url: str, data_dir: Path) -> dict[str, object]:
    """Translate DATABASE_URL into a Django DATABASES entry.

    Empty means SQLite in the data dir; ``postgres://`` PostgreSQL; ``dm://`` the DM
    (Dameng) backend of the ``dm`` extra.
    """
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data_dir / "anbao.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
            "CONN_MAX_AGE": PERSISTENT_CONNECTION_SECONDS,
        }
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    common: dict[str, object] = {
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }
    if scheme in {"postgres", "postgresql", "pgsql"}:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "CONN_MAX_AGE": PERSISTENT_CONNECTION_SECONDS,
            "CONN_HEALTH_CHECKS": True,
            **common,
        }
    if scheme == "dm":
        # dmDjango is DM's own Django backend (pip extra "dm"); default port 5236.
        common["PORT"] = common["PORT"] or "5236"
        return {"ENGINE": "dmDjango", **common}
    if scheme == "sqlite":
        path = unquote(parts.path)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path if path else str(data_dir / "anbao.sqlite3"),
            "OPTIONS": SQLITE_OPTIONS,
            "CONN_MAX_AGE": PERSISTENT_CONNECTION_SECONDS,
        }
    raise ConfigurationError(
        f"DATABASE_URL scheme {scheme!r} is not supported (use postgres://, dm:// or sqlite://)"
    )


def read_secret_key(data_dir: Path) -> str | None:
    path = data_dir / SECRET_KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip() or None
    except FileNotFoundError:
        return None


def create_secret_key(data_dir: Path) -> Path:
    """Write a new secret key with mode 0600 unless one exists; return its path."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_urlsafe(50))
    return path
