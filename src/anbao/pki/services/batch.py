"""Issuing certificates for a whole file of holders: all or nothing, never twice."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import record
from anbao.pki.core.batch import BatchInvalid, BatchRow, RowError, validate
from anbao.pki.models import Certificate, Holder
from anbao.pki.services.authority import issuing_ca
from anbao.pki.services.issuance import HolderInput, IssuedPair, issue

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchItem:
    row: BatchRow
    issued: IssuedPair | None  # None: the holder already had a valid certificate


def read_table(name: str, data: bytes) -> tuple[list[str], list[list[object]]]:
    """The header and rows of a UTF-8 CSV or an XLSX workbook's first sheet."""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise errors.ValidationError(
                _("%(f)s is not UTF-8 (byte %(n)d): save it as CSV UTF-8")
                % {"f": name, "n": exc.start}
            ) from None
        rows = list(csv.reader(io.StringIO(text)))
    elif suffix == ".xlsx":
        rows = _xlsx_rows(name, data)
    else:
        raise errors.ValidationError(_("%(f)s: expected a .csv or .xlsx file") % {"f": name})
    if not rows:
        raise errors.ValidationError(_("%(f)s is empty") % {"f": name})
    return [str(h or "") for h in rows[0]], [list(r) for r in rows[1:]]


def _xlsx_rows(name: str, data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise errors.ValidationError(
            _("%(f)s is not a readable XLSX workbook: %(e)s") % {"f": name, "e": type(exc).__name__}
        ) from None


def describe(error: RowError) -> str:
    messages = {
        "missing_column": _("missing column"),
        "unknown_column": _("unknown column"),
        "length": _("must be 1 to %(d)s characters"),
        "email": _("invalid e-mail address %(d)r"),
        "profile": _("must be pc or mobile, got %(d)r"),
        "username": _("invalid user name %(d)r"),
        "phone": _("invalid phone number %(d)r"),
        "duplicate": _("the same as row %(d)s"),
        "too_many": _("more than %(d)s rows"),
        "empty": _("the file has no holders"),
        "conflict": _("%(d)s"),
    }
    text = messages.get(error.code, error.code) % {"d": error.detail}
    return _("row %(r)d, column %(c)s: %(m)s") % {"r": error.line, "c": error.column, "m": text}


def explain(exc: BatchInvalid) -> errors.ValidationError:
    shown = "; ".join(describe(e) for e in exc.errors[:5])
    if len(exc.errors) > 5:
        shown += _(" (and %(n)d more)") % {"n": len(exc.errors) - 5}
    return errors.ValidationError(shown, code="invalid_batch")


def plan(
    header: list[str], rows: list[list[object]], default_profile: str | None
) -> list[tuple[BatchRow, bool]]:
    """Validate the file and the database; (row, already issued) for each holder."""
    try:
        checked = validate(header, rows, default_profile)
    except BatchInvalid as exc:
        raise explain(exc) from None
    problems: list[RowError] = []
    result = []
    for row in checked:
        holder = Holder.objects.filter(email__iexact=row.email).first()
        if holder is not None and holder.name != row.name:
            problems.append(
                RowError(
                    row.line,
                    "email",
                    "conflict",
                    _("belongs to the holder %(n)s") % {"n": holder.name},
                )
            )
            continue
        done = (
            holder is not None
            and Certificate.objects.filter(
                holder=holder, usage="signing", status=Certificate.VALID, profile=row.profile
            ).exists()
        )
        result.append((row, done))
    if problems:
        raise explain(BatchInvalid(problems))
    return result


def issue_batch(
    planned: list[tuple[BatchRow, bool]],
    *,
    dual: bool,
    actor: object = None,
    progress: Progress | None = None,
    deliver: Callable[[list[BatchItem]], None] | None = None,
) -> list[BatchItem]:
    """Issue for every holder not yet served, in one transaction.

    ``deliver`` runs inside the transaction (writing the key files, say): if it fails,
    nothing was issued.
    """
    ca = issuing_ca()
    items: list[BatchItem] = []
    with transaction.atomic():
        for index, (row, done) in enumerate(planned, start=1):
            issued = None
            if not done:
                data = HolderInput(
                    name=row.name,
                    email=row.email,
                    unit=row.unit,
                    phone=row.phone,
                    username=row.username,
                    profile=row.profile,
                )
                issued = issue(data, generate_key=True, dual=dual, actor=actor, ca=ca)
            items.append(BatchItem(row, issued))
            if progress:
                progress(index, len(planned))
        if deliver:
            deliver(items)
        record(
            "cert.batch",
            actor=actor,
            object_type="batch",
            details={
                "rows": len(planned),
                "issued": sum(1 for i in items if i.issued),
                "dual": dual,
            },
        )
    return items
