"""A batch upload from the web: checked whole, issued by a job, collected once as a ZIP.

``stage`` validates the file exactly as ``anbao cert batch`` does (nothing is issued when a
row is wrong) and keeps it, sealed, in the data dir; the ``pki.batch`` job then calls ``run``,
which issues through ``anbao.pki.services.batch`` and leaves the summary, the PIN list and
the key and certificate files as a one-time download (``services.pickup``) for the
administrator who uploaded it. Job parameters carry only the batch id, never a secret.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao import errors
from anbao.audit.services import record
from anbao.pki import keystore
from anbao.pki.services import batch, pickup
from anbao.pki.services.issuance import IssuedPair, certificate_pem
from anbao.pki.services.lookup import issuing_certificate

ID_RE = re.compile(r"^[0-9a-f]{32}$")
MAX_UPLOAD = 10 * 1024 * 1024
ZIP_TYPE = "application/zip"


def _dir(batch_id: str) -> Path:
    if not ID_RE.match(batch_id):
        raise errors.NotFound(_("no batch %(b)s") % {"b": batch_id[:40]}, code="unknown_batch")
    return Path(settings.DATA_DIR) / "pki" / "batches" / batch_id


def stage(
    filename: str,
    data: bytes,
    *,
    profile: str | None,
    dual: bool,
    user: Any,
    request: Any = None,
) -> dict[str, Any]:
    """Check the whole file against the rules and the database; keep it for the job."""
    if len(data) > MAX_UPLOAD:
        raise errors.ValidationError(_("the file is larger than 10 MB"))
    issuing_certificate()  # no CA yet: say so now, not in the job
    header, rows = batch.read_table(filename, data)
    planned = batch.plan(header, rows, profile or None)
    batch_id = uuid.uuid4().hex
    folder = _dir(batch_id)
    folder.mkdir(parents=True, mode=0o700)
    suffix = Path(filename).suffix.lower()
    _write(folder / "source", keystore.seal(data, f"batch:{batch_id}"))
    meta = {
        "id": batch_id,
        "user": user.pk,
        "username": user.get_username(),
        "filename": Path(filename).name[:200],
        "suffix": suffix,
        "profile": profile or "",
        "dual": dual,
        "rows": len(planned),
        "to_issue": sum(1 for _row, done in planned if not done),
        "created": timezone.now().isoformat(),
        "job": "",
    }
    save_meta(meta)
    record(
        "cert.batch_upload",
        actor=user,
        request=request,
        object_type="batch",
        object_id=batch_id,
        details={"file": meta["filename"], "rows": meta["rows"]},
    )
    return meta


def _write(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def save_meta(meta: dict[str, Any]) -> None:
    _write(_dir(meta["id"]) / "meta.json", json.dumps(meta).encode())


def load_meta(batch_id: str) -> dict[str, Any]:
    try:
        return dict(json.loads((_dir(batch_id) / "meta.json").read_bytes()))
    except FileNotFoundError:
        raise errors.NotFound(_("no batch %(b)s") % {"b": batch_id}, code="unknown_batch") from None


def run(
    batch_id: str, *, actor: Any, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Issue the staged batch; the files wait as a one-time download for the uploader."""
    from anbao.accounts.models import User

    meta = load_meta(batch_id)
    source = _dir(batch_id) / "source"
    try:
        data = keystore.unseal(source.read_bytes(), f"batch:{batch_id}")
    except FileNotFoundError:
        raise errors.Conflict(_("the batch %(b)s has run already") % {"b": batch_id}) from None
    owner = User.objects.filter(pk=meta["user"]).first()
    if owner is None:
        raise errors.NotFound(_("the administrator who uploaded the batch no longer exists"))
    try:
        # Checked again: the database may have changed since the upload.
        header, rows = batch.read_table(f"upload{meta['suffix']}", data)
        planned = batch.plan(header, rows, meta["profile"] or None)

        def deliver(items: list[batch.BatchItem]) -> None:
            pickup.offer(
                result_zip(items),
                user=owner,
                filename=f"batch-{batch_id[:8]}.zip",
                content_type=ZIP_TYPE,
                object_type="batch",
                object_id=batch_id,
                lifetime=pickup.BATCH_LIFETIME,
                token=batch_id,
            )

        items = batch.issue_batch(
            planned, dual=bool(meta["dual"]), actor=actor, progress=progress, deliver=deliver
        )
    finally:
        # The holders' data is not kept beyond the run, whether it succeeded or not: after
        # a failure the administrator corrects the file and uploads it again.
        source.unlink(missing_ok=True)
    issued = sum(1 for i in items if i.issued)
    return {"batch": batch_id, "rows": len(items), "issued": issued, "skipped": len(items) - issued}


def _pair_files(issued: IssuedPair) -> list[tuple[str, bytes]]:
    serial = issued.signing.serial
    files = [(f"{serial}.sign.pem", certificate_pem(issued.signing))]
    if issued.private_key_pem is not None:
        files.append((f"{serial}.sign.key.pem", issued.private_key_pem))
    if issued.encryption is not None and issued.envelope is not None:
        files.append((f"{serial}.enc.pem", certificate_pem(issued.encryption)))
        files.append((f"{serial}.enc.env", issued.envelope))
    return files


def result_zip(items: list[batch.BatchItem]) -> bytes:
    """summary.csv, pins.csv and each holder's files, named as ``anbao cert batch`` does."""
    summary, pins = io.StringIO(), io.StringIO()
    sw, pw = csv.writer(summary), csv.writer(pins)
    sw.writerow(["row", "name", "email", "status", "signing_serial", "encryption_serial"])
    pw.writerow(["email", "signing_serial", "pin"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in items:
            row, issued = item.row, item.issued
            if issued is None:
                sw.writerow([row.line, row.name, row.email, "skipped", "", ""])
                continue
            enc = issued.encryption.serial if issued.encryption else ""
            sw.writerow([row.line, row.name, row.email, "issued", issued.signing.serial, enc])
            pw.writerow([row.email, issued.signing.serial, issued.pin])
            for name, content in _pair_files(issued):
                archive.writestr(name, content)
        archive.writestr("summary.csv", ("\ufeff" + summary.getvalue()).encode())
        archive.writestr("pins.csv", pins.getvalue().encode())
    return buffer.getvalue()


def status_of(meta: dict[str, Any], job_state: str = "", now: dt.datetime | None = None) -> str:
    """ready (the ZIP waits), taken, expired (not taken in time), else the job's state."""
    if meta.get("downloaded_at"):
        return "taken"
    if pickup.peek(meta["id"], now=now) is not None:
        return "ready"
    if job_state == "succeeded":
        return "expired"
    return job_state or "queued"


def mark_taken(batch_id: str) -> None:
    meta = load_meta(batch_id)
    meta["downloaded_at"] = timezone.now().isoformat()
    save_meta(meta)


def recent(user: Any, limit: int = 20) -> list[dict[str, Any]]:
    """The newest batches uploaded by ``user``."""
    root = Path(settings.DATA_DIR) / "pki" / "batches"
    if not root.is_dir():
        return []
    metas = []
    for folder in root.iterdir():
        try:
            meta = load_meta(folder.name)
        except (errors.NotFound, ValueError):
            continue
        if meta.get("user") == user.pk:
            metas.append(meta)
    metas.sort(key=lambda m: m["created"], reverse=True)
    return metas[:limit]
