"""The navigation menu: one entry per page, shown only to roles that may open it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from anbao.accounts.core import Capability


@dataclass(frozen=True)
class NavItem:
    label: object
    url_name: str
    capability: Capability


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Engagements"), "engagement:list", Capability.ENGAGEMENT_VIEW),
    NavItem(_("Reports"), "reports:list", Capability.REPORT_VIEW),
    NavItem(_("Jobs"), "jobs:list", Capability.JOBS_VIEW),
    NavItem(_("Users"), "accounts:user_list", Capability.USERS_MANAGE),
    NavItem(_("Sign-in clients"), "oidc:client_list", Capability.USERS_MANAGE),
    NavItem(_("Locked accounts"), "accounts:lockouts", Capability.SECURITY_MANAGE),
    NavItem(_("Certificates"), "pki:admin_certificates", Capability.PKI_MANAGE),
    NavItem(_("Enrolment invitations"), "enrolment:invitations", Capability.PKI_MANAGE),
    NavItem(_("Audit trail"), "audit:list", Capability.AUDIT_VIEW),
]
