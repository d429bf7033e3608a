"""Roles, capabilities and the password policy: pure rules, no Django.

Separation of duties (MLPS 8.1.4.2, 8.1.5): the three administrators hold disjoint
capabilities; nobody holds every capability; nobody may change audit records.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Role(enum.StrEnum):
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDIT_ADMIN = "audit_admin"
    ENGINEER = "engineer"
    CLIENT_OFFICER = "client_officer"
    HOLDER = "holder"
    APPLICATION = "application"  # another system calling the API (signature service)


class Capability(enum.StrEnum):
    # system administrator: accounts, configuration, jobs
    USERS_MANAGE = "users.manage"
    SYSTEM_CONFIGURE = "system.configure"
    JOBS_VIEW = "jobs.view"
    JOBS_CANCEL = "jobs.cancel"
    # security administrator: security policy, lockouts, certificates
    SECURITY_MANAGE = "security.manage"
    PKI_MANAGE = "pki.manage"
    # audit administrator: the audit trail only
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    # the engagement and its deliverables
    ENGAGEMENT_VIEW = "engagement.view"
    ENGAGEMENT_EDIT = "engagement.edit"
    DELIVERABLE_ACCEPT = "deliverable.accept"
    REPORT_VIEW = "report.view"
    REPORT_RENDER = "report.render"
    SCAN_RUN = "scan.run"
    # the signature-verification service, for other systems
    SIGNATURE_VERIFY = "signature.verify"
    SIGNATURE_SIGN = "signature.sign"
    # every signed-in person
    PROFILE_OWN = "profile.own"


_C = Capability
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.SYSTEM_ADMIN: frozenset(
        {_C.USERS_MANAGE, _C.SYSTEM_CONFIGURE, _C.JOBS_VIEW, _C.JOBS_CANCEL, _C.PROFILE_OWN}
    ),
    Role.SECURITY_ADMIN: frozenset({_C.SECURITY_MANAGE, _C.PKI_MANAGE, _C.PROFILE_OWN}),
    Role.AUDIT_ADMIN: frozenset({_C.AUDIT_VIEW, _C.AUDIT_EXPORT, _C.PROFILE_OWN}),
    Role.ENGINEER: frozenset(
        {
            _C.ENGAGEMENT_VIEW,
            _C.ENGAGEMENT_EDIT,
            _C.REPORT_VIEW,
            _C.REPORT_RENDER,
            _C.SCAN_RUN,
            _C.JOBS_VIEW,
            _C.JOBS_CANCEL,
            _C.PROFILE_OWN,
        }
    ),
    Role.CLIENT_OFFICER: frozenset(
        {_C.ENGAGEMENT_VIEW, _C.DELIVERABLE_ACCEPT, _C.REPORT_VIEW, _C.JOBS_VIEW, _C.PROFILE_OWN}
    ),
    Role.HOLDER: frozenset({_C.PROFILE_OWN}),
    Role.APPLICATION: frozenset({_C.SIGNATURE_VERIFY, _C.SIGNATURE_SIGN, _C.PROFILE_OWN}),
}

ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


def capabilities_of(role: str | Role) -> frozenset[Capability]:
    try:
        return ROLE_CAPABILITIES[Role(role)]
    except ValueError:
        return frozenset()


def has_capability(role: str | Role, capability: str | Capability) -> bool:
    return Capability(capability) in capabilities_of(role)


def roles_with(capability: str | Capability) -> frozenset[Role]:
    cap = Capability(capability)
    return frozenset(role for role, caps in ROLE_CAPABILITIES.items() if cap in caps)


# ---- password policy (MLPS 8.1.4.1 a) ---------------------------------------------------

MIN_PASSWORD_LENGTH = 8
REQUIRED_CLASSES = 3


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and symbols the password uses."""
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


def password_problems(password: str) -> list[str]:
    """The policy rules this password breaks, as stable codes (empty when it passes)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append("too_short")
    if character_classes(password) < REQUIRED_CLASSES:
        problems.append("too_simple")
    return problems


def reuses_recent(password_matches: Iterable[bool]) -> bool:
    """True when the new password equals one of the remembered ones."""
    return any(password_matches)
