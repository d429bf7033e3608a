"""Periodic jobs, declared here and nowhere else.

With Celery, ``celery_app`` turns this list into the beat schedule (run ``celery beat`` once
per deployment); without it, ``anbao serve`` runs the in-process scheduler over the same list.
Times are in the site time zone (``TIME_ZONE``, Asia/Shanghai).

To add one, append a ``Periodic`` entry: a unique name, a registered job kind, a schedule
(``every 30m``, ``every 6h`` or a five-field cron expression) and the job's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from anbao.jobs import core


@dataclass(frozen=True)
class Periodic:
    name: str
    kind: str
    when: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def schedule(self) -> core.Schedule:
        return core.parse_schedule(self.when)


SCHEDULES: list[Periodic] = [
    # MLPS 8.1.4.3: the audit records are protected; check the hash chain every night.
    Periodic("audit-verify-daily", "audit.verify", "30 2 * * *"),
    # Records older than ANBAO_AUDIT_RETENTION_DAYS (never under 180) go, leaving an anchor.
    Periodic("audit-retention-daily", "audit.purge", "45 2 * * *"),
    # Holders and security administrators hear of a certificate 30 days before it expires.
    Periodic("pki-expiry-notice-daily", "pki.expiry_notice", "0 8 * * *"),
    # A fresh CRL every day, so relying parties never hold one past its nextUpdate.
    Periodic("pki-crl-daily", "pki.crl", "every 24h"),
    # Expired OIDC authorization codes and tokens (anbao.oidc) are removed every night.
    Periodic("oidc-clear-expired-daily", "oidc.clear_expired", "15 3 * * *"),
    # A used login challenge is kept until it expires (60 s), to refuse its replay.
    Periodic("accounts-forget-challenges-hourly", "accounts.forget_challenges", "every 1h"),
]


def by_name(name: str) -> Periodic:
    for entry in SCHEDULES:
        if entry.name == name:
            return entry
    raise KeyError(name)
