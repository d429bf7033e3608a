"""anbao.oidc.core: the session's sign-in facts, acr requirements, redirect URI rules."""

from __future__ import annotations

import pytest

from anbao.oidc import core
from anbao.oidc.core import ACR_CERTIFICATE, ACR_PASSWORD, SignIn


def test_missing_session_keys_mean_a_password_sign_in_at_last_login():
    assert core.sign_in_from_session({}, 1_700_000_000) == SignIn(
        ("pwd",), ACR_PASSWORD, 1_700_000_000
    )
    assert core.sign_in_from_session({}, None).auth_time == 0


def test_session_keys_are_taken_as_written_by_the_sign_in():
    session = {
        core.SESSION_AMR: ["pwd", "x509", "mfa"],
        core.SESSION_ACR: ACR_CERTIFICATE,
        core.SESSION_AUTH_TIME: 1_800_000_000,
    }
    sign_in = core.sign_in_from_session(session, 1)
    assert sign_in == SignIn(("pwd", "x509", "mfa"), ACR_CERTIFICATE, 1_800_000_000)
    assert sign_in.used_certificate


@pytest.mark.parametrize(
    "session",
    [
        {core.SESSION_ACR: "urn:other:strong"},  # unknown acr: not trusted
        {core.SESSION_AMR: "x509", core.SESSION_ACR: ACR_PASSWORD},  # not a list
        {core.SESSION_AUTH_TIME: True},
    ],
)
def test_odd_session_values_fall_back_to_password(session):
    sign_in = core.sign_in_from_session(session, 5)
    assert sign_in.acr == ACR_PASSWORD and not sign_in.used_certificate


def test_a_certificate_acr_without_certificate_amr_is_read_as_password():
    session = {core.SESSION_AMR: ["pwd"], core.SESSION_ACR: ACR_CERTIFICATE}
    assert core.sign_in_from_session(session, 1).acr == ACR_PASSWORD


def test_certificate_acr_needs_a_certificate_amr():
    assert not SignIn(("pwd",), ACR_CERTIFICATE).used_certificate
    assert SignIn(("pwd", "hwk"), ACR_CERTIFICATE).used_certificate


@pytest.mark.parametrize(
    ("acr_values", "client_requires", "expected"),
    [
        (None, False, None),
        ("", False, None),
        ("urn:unknown", False, None),
        (ACR_PASSWORD, False, ACR_PASSWORD),
        (ACR_CERTIFICATE, False, ACR_CERTIFICATE),
        (f"{ACR_CERTIFICATE} {ACR_PASSWORD}", False, ACR_PASSWORD),  # the weakest is the bar
        (ACR_PASSWORD, True, ACR_CERTIFICATE),  # the client's setting wins
        (None, True, ACR_CERTIFICATE),
    ],
)
def test_required_acr(acr_values, client_requires, expected):
    assert core.required_acr(acr_values, client_requires) == expected


def test_satisfies():
    password = SignIn()
    certificate = SignIn(("pwd", "x509", "mfa"), ACR_CERTIFICATE)
    assert password.satisfies(None) and password.satisfies(ACR_PASSWORD)
    assert not password.satisfies(ACR_CERTIFICATE)
    assert certificate.satisfies(ACR_PASSWORD) and certificate.satisfies(ACR_CERTIFICATE)


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("https://mhis.hospital.example/oidc/callback", None),
        ("https://mhis.hospital.example:8443/cb?tenant=1", None),
        ("http://127.0.0.1:8765/callback", None),
        ("http://localhost/callback", None),
        ("http://[::1]:9000/cb", None),
        ("http://mhis.hospital.example/cb", "http_not_loopback"),
        ("http://10.1.2.3/cb", "http_not_loopback"),
        ("ftp://mhis.example/cb", "scheme"),
        ("mhis.example/cb", "scheme"),
        ("https:///cb", "scheme"),
        ("https://mhis.example/cb#frag", "fragment"),
        ("https://*.mhis.example/cb", "wildcard"),
        ("https://user:pw@mhis.example/cb", "userinfo"),
        ("https://mhis.example/a b", "malformed"),
        ("", "malformed"),
    ],
)
def test_redirect_uri_problem(uri, problem):
    assert core.redirect_uri_problem(uri) == problem


def test_clean_redirect_uris_dedups_and_reports():
    cleaned, problems = core.clean_redirect_uris(
        [" https://a.example/cb ", "https://a.example/cb", "", "http://b.example/cb"]
    )
    assert cleaned == ["https://a.example/cb"]
    assert [p.reason for p in problems] == ["http_not_loopback"]
    assert [p.reason for p in core.clean_redirect_uris(["", " "])[1]] == ["missing"]


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("300", 300), ("0086400", 86400)])
def test_max_age_parses_whole_seconds(text, value):
    assert core.parse_max_age(text) == value


@pytest.mark.parametrize("text", ["", "-1", "1.5", "abc", "１２", "99999999999"])
def test_max_age_refuses_anything_else(text):
    with pytest.raises(ValueError):
        core.parse_max_age(text)


def test_older_than_counts_from_auth_time():
    sign_in = core.SignIn(auth_time=1_000)
    assert not core.older_than(sign_in, 300, 1_300)
    assert core.older_than(sign_in, 300, 1_301)
    assert core.older_than(sign_in, 0, 1_001)
