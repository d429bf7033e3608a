"""Every URL and API route, against every role: allowed roles pass, the others get 403.

The expected capabilities come from docs/roles.md (the permission matrix people read), so
the document, the code and the behaviour cannot drift apart.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from anbao.accounts.access import ACCESS_ATTR, PUBLIC
from anbao.accounts.core import ROLE_CAPABILITIES, Capability, Role

ROLES_DOC = Path(__file__).resolve().parents[3] / "docs" / "roles.md"
SAMPLE = {"int": "999999", "uuid": str(uuid.UUID(int=0)), "str": "x", "slug": "x", "path": "x"}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def concrete(route: str) -> str:
    def sub(m):
        return SAMPLE.get(m.group(1) or "str", "x")

    path = re.sub(r"<(?:(\w+):)?\w+>", sub, route)
    return "/" + path.lstrip("^").rstrip("$")


def access_of(pattern: URLPattern) -> dict[str, str | None]:
    """{'get': capability-or-PUBLIC, 'post': ...} declared by the view."""
    cb = pattern.callback
    declared = getattr(cb, ACCESS_ATTR, None)
    if declared is not None:
        return {"get": declared, "post": declared}
    cls = getattr(cb, "cls", None) or getattr(cb, "view_class", None)
    if cls is not None and getattr(cls, ACCESS_ATTR, None) is not None:
        declared = getattr(cls, ACCESS_ATTR)
        return {"get": declared, "post": declared}
    perms = [getattr(p, "__name__", str(p)) for p in getattr(cls, "permission_classes", [])]
    if "HasCapability" in perms:
        read = getattr(cls, "read_capability", None) or getattr(cls, "capability", None)
        write = getattr(cls, "write_capability", None) or getattr(cls, "capability", None)
        return {"get": read, "post": write}
    return {}


def all_routes():
    routes = []
    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith("static/") or "(?P<format>" in route or "\\.(?P" in route:
            continue
        routes.append((route, pattern))
    return routes


def test_every_route_declares_its_access():
    undeclared = [route for route, p in all_routes() if not access_of(p)]
    assert undeclared == [], f"routes without @public/@requires/HasCapability: {undeclared}"


def parse_roles_doc() -> dict[str, set[str]]:
    """Read the capability × role table of docs/roles.md: {capability: {roles}}."""
    text = ROLES_DOC.read_text(encoding="utf-8")
    table = {}
    header: list[str] = []
    for line in text.splitlines():
        if header and not line.startswith("|"):
            break  # the matrix ended
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3:
            continue
        if cells[0] == "capability" and cells[1] == "`system_admin`":
            header = [c.strip("`") for c in cells[1:]]
            continue
        cap = cells[0].strip("`")
        if header and cap in {c.value for c in Capability}:
            table[cap] = {
                role for role, mark in zip(header, cells[1:], strict=False) if mark == "✓"
            }
    return table


def test_roles_doc_matches_the_code():
    documented = parse_roles_doc()
    actual = {
        cap.value: {r.value for r, caps in ROLE_CAPABILITIES.items() if cap in caps}
        for cap in Capability
    }
    assert documented == actual


def test_three_administrators_do_not_overlap():
    sa, sec, aud = (
        ROLE_CAPABILITIES[r] - {Capability.PROFILE_OWN}
        for r in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)
    )
    assert not (sa & sec) and not (sa & aud) and not (sec & aud)
    assert ROLE_CAPABILITIES[Role.AUDIT_ADMIN] == {
        Capability.AUDIT_VIEW,
        Capability.AUDIT_EXPORT,
        Capability.PROFILE_OWN,
    }
    assert all(set(Capability) - caps for caps in ROLE_CAPABILITIES.values())


def _cases():
    cases = []
    for route, pattern in all_routes():
        for method, cap in access_of(pattern).items():
            if cap is None:
                continue
            cases.append(pytest.param(route, method, cap, id=f"{method.upper()} /{route}"))
    return cases


def _denied(response) -> bool:
    return response.status_code in (401, 403)


def _bearer_challenge(response) -> bool:
    """A public protocol route (OIDC userinfo) asking for its own credential, not a role."""
    return response.status_code == 401 and response.get("WWW-Authenticate", "").startswith("Bearer")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "method", "capability"), _cases())
def test_route_against_every_role(route, method, capability, client, make_user):
    url = concrete(route)
    users = {role: make_user(username=f"m_{role.value}", role=role) for role in Role}
    for role, user in users.items():
        client.force_login(user)
        response = getattr(client, method)(url)
        assert response.status_code != 500, f"{method} {url} as {role}: 500"
        if capability == PUBLIC or (method == "get" and capability is None):
            assert not _denied(response) or _bearer_challenge(response), (
                f"{method} {url} public but refused for {role}"
            )
        elif Capability(capability) in ROLE_CAPABILITIES[role]:
            assert not _denied(response), f"{method} {url} refused {role} ({capability})"
        else:
            assert response.status_code == 403, (
                f"{method} {url} let {role} through without {capability}: {response.status_code}"
            )
        client.logout()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("route", "method", "capability"),
    [c for c in _cases() if c.values[1] == "get" and c.values[2] != PUBLIC],
)
def test_anonymous_is_sent_to_sign_in(route, method, capability, client):
    url = concrete(route)
    response = client.get(url)
    if url.startswith("/api/"):
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "not_authenticated"
    else:
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
