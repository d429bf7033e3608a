"""Issuing certificates for a whole file of holders: all or nothing, never twice."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import record
from anbao.pki.core.batch import BatchInvalid, BatchRow, RowError, validate
from anbao.pki.models import Certificate, Holder
from anbao.pki.services.authority import issuing_ca
from anbao.pki.services.issuance import (
    BulkEntry,
    HolderInput,
    IssuedPair,
    generate_pin,
    issue_many,
    validate_holder,
)
from anbao.sm import SM2PrivateKey, private_key_to_pem

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


def key_file_workers() -> int:
    """Threads for encrypting key files: one per core this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def protect_keys(
    keys: list[SM2PrivateKey],
    pins: list[str],
    *,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[bytes]:
    """Each key as a PIN-encrypted PEM file, on ``workers`` threads side by side.

    A key file costs PBKDF2 with 600,000 iterations, a tenth of a second of CPU; hashlib's
    PBKDF2 releases the GIL, so the threads use every core. The first failure stops the
    rest; so does a ``progress`` that raises.
    """
    with ThreadPoolExecutor(
        max_workers=workers or key_file_workers(), thread_name_prefix="anbao-key-file"
    ) as pool:
        futures = [
            pool.submit(private_key_to_pem, key, pin.encode())
            for key, pin in zip(keys, pins, strict=True)
        ]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                future.result()
                if progress:
                    progress(done, len(futures))
        except BaseException:
            for future in futures:
                future.cancel()
            raise
    return [future.result() for future in futures]


def issue_batch(
    planned: list[tuple[BatchRow, bool]],
    *,
    dual: bool,
    actor: object = None,
    progress: Progress | None = None,
    deliver: Callable[[list[BatchItem]], None] | None = None,
    workers: int | None = None,
) -> list[BatchItem]:
    """Issue for every holder not yet served, all or nothing.

    The holders' signing keys are made here and their PIN-protected key files written
    first, on ``workers`` threads (``protect_keys``), before anything is stored: a failure
    there leaves nothing behind. Then one transaction issues every certificate
    (``issue_many``), runs ``deliver`` (writing the files, say) and records the batch; if
    any of it fails, nothing was issued. ``progress(done, total)`` counts the key files,
    then the holders issued.
    """
    ca = issuing_ca()
    todo = [
        (
            row,
            HolderInput(
                name=row.name,
                email=row.email,
                unit=row.unit,
                phone=row.phone,
                username=row.username,
                profile=row.profile,
            ),
        )
        for row, done in planned
        if not done
    ]
    for _row, data in todo:
        validate_holder(data)  # now, not after a minute of key files
    keys = [SM2PrivateKey.generate() for _ in todo]
    pins = [generate_pin() for _ in todo]
    steps = 2 * len(todo)
    key_files = protect_keys(
        keys,
        pins,
        workers=workers,
        progress=(lambda done, _n: progress(done, steps)) if progress else None,
    )
    with transaction.atomic():
        issued = issue_many(
            [
                BulkEntry(data, key.public_key(), "server")
                for (_row, data), key in zip(todo, keys, strict=True)
            ],
            dual=dual,
            actor=actor,
            ca=ca,
            progress=(lambda done, _n: progress(len(todo) + done, steps)) if progress else None,
        )
        made = iter(
            replace(pair, private_key_pem=key_file, pin=pin)
            for pair, key_file, pin in zip(issued, key_files, pins, strict=True)
        )
        items = [BatchItem(row, None if done else next(made)) for row, done in planned]
        if deliver:
            deliver(items)
        record(
            "cert.batch",
            actor=actor,
            object_type="batch",
            details={"rows": len(planned), "issued": len(todo), "dual": dual},
        )
    return items
