"""Constants and helpers shared by the report tests."""

from __future__ import annotations

from datetime import date

# A day inside the sample contract (2022-06-01 … 2023-05-31), with deliverables overdue and
# due that month, so that every table of the status report has rows.
REPORT_DAY = date(2023, 1, 15)


def sm3_of(data: bytes) -> str:
    """SM3 straight from tongsuopy, independent of anbao's own helper."""
    from tongsuopy.crypto import hashes

    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()
