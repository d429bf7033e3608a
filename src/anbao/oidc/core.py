"""The sign-in facts an ID token carries, and the rules for client redirect URIs.

Pure logic, no Django: ``amr``/``acr``/``auth_time`` come from the session (written by the
sign-in), a missing value means a password sign-in; a client may require a certificate.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# Session keys written by the sign-in (anbao.accounts): the contract with the login work.
SESSION_AMR = "anbao_amr"
SESSION_ACR = "anbao_acr"
SESSION_AUTH_TIME = "anbao_auth_time"

ACR_PASSWORD = "urn:anbao:acr:pwd"
ACR_CERTIFICATE = "urn:anbao:acr:x509+pwd"
ACR_VALUES = (ACR_PASSWORD, ACR_CERTIFICATE)
# The strength order of the acr values: a stronger one satisfies a request for a weaker one.
_ACR_RANK = {ACR_PASSWORD: 1, ACR_CERTIFICATE: 2}
CERTIFICATE_AMR = frozenset({"x509", "hwk"})


@dataclass(frozen=True)
class SignIn:
    """How and when the person behind a session signed in."""

    amr: tuple[str, ...] = ("pwd",)
    acr: str = ACR_PASSWORD
    auth_time: int = 0

    @property
    def used_certificate(self) -> bool:
        return self.acr == ACR_CERTIFICATE and bool(CERTIFICATE_AMR & set(self.amr))

    def satisfies(self, required_acr: str | None) -> bool:
        if not required_acr:
            return True
        if required_acr == ACR_CERTIFICATE:
            return self.used_certificate
        return _ACR_RANK.get(self.acr, 0) >= _ACR_RANK.get(required_acr, 0)


def parse_max_age(text: str) -> int:
    """OIDC Core 3.1.2.1 ``max_age``: allowable seconds since the last active sign-in."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValueError("max_age must be a non-negative whole number of seconds")
    return int(text)


def older_than(sign_in: SignIn, max_age: int, now: int) -> bool:
    """Whether the sign-in happened more than ``max_age`` seconds before ``now``."""
    return now - sign_in.auth_time > max_age


def sign_in_from_session(session: Mapping[str, object], last_login: int | None) -> SignIn:
    """The session's sign-in facts; a session without them is a password sign-in."""
    amr = session.get(SESSION_AMR)
    acr = session.get(SESSION_ACR)
    auth_time = session.get(SESSION_AUTH_TIME)
    amr_list = tuple(str(v) for v in amr) if isinstance(amr, list | tuple) and amr else ("pwd",)
    acr_value = acr if isinstance(acr, str) and acr in ACR_VALUES else ACR_PASSWORD
    if acr_value == ACR_CERTIFICATE and not CERTIFICATE_AMR & set(amr_list):
        # Never claim more than the methods show: a certificate acr needs x509 or hwk.
        acr_value = ACR_PASSWORD
    if isinstance(auth_time, int | float) and not isinstance(auth_time, bool):
        when = int(auth_time)
    else:
        when = int(last_login or 0)
    return SignIn(amr=amr_list, acr=acr_value, auth_time=when)


def required_acr(acr_values: str | None, client_requires_certificate: bool) -> str | None:
    """The acr the authorization must reach: the client's setting, else the request's.

    ``acr_values`` is a space-separated preference list (OIDC Core 3.1.2.1); anbao reads it
    as a requirement: the weakest value anbao knows is the bar. Unknown values are ignored.
    """
    if client_requires_certificate:
        return ACR_CERTIFICATE
    known = [v for v in (acr_values or "").split() if v in _ACR_RANK]
    if not known:
        return None
    return min(known, key=_ACR_RANK.__getitem__)


@dataclass(frozen=True)
class RedirectURIProblem:
    uri: str
    reason: str = field(default="")


LOOPBACK_HOSTS = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def redirect_uri_problem(uri: str) -> str | None:
    """Why ``uri`` cannot be a redirect URI (a short code), or None when it can.

    https only; http only to the loopback host (development, RFC 8252 7.3); no fragment
    (RFC 6749 3.1.2); no wildcards; no user info.
    """
    if not uri or any(ch.isspace() for ch in uri):
        return "malformed"
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        return "scheme"
    if parts.scheme == "http" and not _is_loopback(host):
        return "http_not_loopback"
    if parts.fragment or "#" in uri:
        return "fragment"
    if "*" in uri:
        return "wildcard"
    if parts.username or parts.password:
        return "userinfo"
    return None


def clean_redirect_uris(uris: Iterable[str]) -> tuple[list[str], list[RedirectURIProblem]]:
    """The distinct URIs in order, and the problems found; at least one URI is needed."""
    cleaned: list[str] = []
    problems: list[RedirectURIProblem] = []
    for raw in uris:
        uri = raw.strip()
        if not uri or uri in cleaned:
            continue
        reason = redirect_uri_problem(uri)
        if reason:
            problems.append(RedirectURIProblem(uri, reason))
        else:
            cleaned.append(uri)
    if not cleaned and not problems:
        problems.append(RedirectURIProblem("", "missing"))
    return cleaned, problems
