"""Password policy and role rules (pure)."""

import pytest

from anbao.accounts import core
from anbao.accounts.core import Capability, Role


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        ("Abcdef1!", []),
        ("abcdefg1", ["too_simple"]),
        ("abcdEFGH", ["too_simple"]),
        ("Ab1!", ["too_short"]),
        ("abc", ["too_short", "too_simple"]),
        ("密码Abc12345", []),  # CJK letters count as neither case; digits+upper+lower suffice
        ("abcd1234!", []),
    ],
)
def test_password_problems(password, problems):
    assert core.password_problems(password) == problems


def test_character_classes():
    assert core.character_classes("aA1!") == 4
    assert core.character_classes("aaaa") == 1


def test_client_officer_reads_and_accepts_but_cannot_scan():
    assert core.has_capability(Role.CLIENT_OFFICER, Capability.ENGAGEMENT_VIEW)
    assert core.has_capability(Role.CLIENT_OFFICER, Capability.DELIVERABLE_ACCEPT)
    assert not core.has_capability(Role.CLIENT_OFFICER, Capability.SCAN_RUN)
    assert not core.has_capability(Role.CLIENT_OFFICER, Capability.AUDIT_VIEW)


def test_holder_has_only_its_profile():
    assert core.capabilities_of(Role.HOLDER) == {Capability.PROFILE_OWN}


def test_unknown_role_has_nothing():
    assert core.capabilities_of("root") == frozenset()
    assert not core.has_capability("root", Capability.PROFILE_OWN)


def test_roles_with():
    assert core.roles_with(Capability.AUDIT_EXPORT) == {Role.AUDIT_ADMIN}
