"""Work log entries (工作日志), maintenance records (维护记录单) and their attachments.

An uploaded file is checked by size, by extension against an allow-list and by its first
bytes against that extension; it is stored under ``MEDIA_ROOT`` by a random name. The
uploader's file name is kept only as a label, stripped of any path and control characters.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anbao.audit.services import record
from anbao.engagement.models import (
    Attachment,
    Engagement,
    MaintenanceRecord,
    ServiceItem,
    WorkLogEntry,
)
from anbao.engagement.services import parse as P

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
# Extension → accepted leading bytes (None: text, must decode as UTF-8 or GB18030).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".txt": None,
    ".log": None,
    ".csv": None,
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".txt": "text/plain; charset=utf-8",
    ".log": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
}


def safe_name(name: str) -> str:
    """The last path component, without control characters, at most 200 characters."""
    base = PureWindowsPath(PurePosixPath(str(name)).name).name
    cleaned = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    return cleaned[-200:] or "file"


def check_upload(name: str, content: bytes) -> str:
    """Raise ``ValidationError`` unless the upload is acceptable; return its extension."""
    label = safe_name(name)
    ext = PurePosixPath(label).suffix.lower()
    if ext not in SIGNATURES:
        raise P.invalid(
            "file",
            _("%(name)s: only %(exts)s files are accepted")
            % {"name": label, "exts": ", ".join(sorted(SIGNATURES))},
        )
    if not content:
        raise P.invalid("file", _("%(name)s is empty") % {"name": label})
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise P.invalid("file", _("%(name)s is larger than 10 MB") % {"name": label})
    signatures = SIGNATURES[ext]
    if signatures is None:
        if b"\x00" in content[:8192] or not _decodes(content):
            raise P.invalid("file", _("%(name)s is not a text file") % {"name": label})
    elif not content.startswith(signatures):
        raise P.invalid("file", _("%(name)s is not a %(ext)s file") % {"name": label, "ext": ext})
    return ext


def _decodes(content: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            content.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def _read(upload: Any) -> tuple[str, bytes]:
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_ATTACHMENT_BYTES:
        raise P.invalid(
            "file", _("%(name)s is larger than 10 MB") % {"name": safe_name(upload.name)}
        )
    return str(getattr(upload, "name", "file")), upload.read(MAX_ATTACHMENT_BYTES + 1)


def check_uploads(files: list[Any]) -> list[tuple[str, bytes, str]]:
    """Read and check every file before anything is stored."""
    if len(files) > MAX_ATTACHMENTS:
        raise P.invalid("files", _("at most %(n)d files at a time") % {"n": MAX_ATTACHMENTS})
    checked = []
    for upload in files:
        name, content = _read(upload)
        checked.append((name, content, check_upload(name, content)))
    return checked


@contextmanager
def _atomic_with_files() -> Iterator[list[Attachment]]:
    """A transaction that also removes the files written in it if it rolls back."""
    written: list[Attachment] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for attachment in written:
            attachment.file.delete(save=False)
        raise


def _store(
    written: list[Attachment],
    engagement: Engagement,
    checked: list[tuple[str, bytes, str]],
    actor: Any,
    **owner: Any,
) -> None:
    for name, content, ext in checked:
        attachment = Attachment(
            engagement=engagement,
            original_name=safe_name(name),
            extension=ext,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            **owner,
        )
        attachment.file.save("upload", ContentFile(content), save=False)
        written.append(attachment)
        attachment.save()


def _service_item(engagement: Engagement, data: dict[str, Any]) -> ServiceItem | None:
    value = data.get("service_item")
    if value in (None, ""):
        return None
    item = engagement.service_items.filter(pk=P.integer(data, "service_item", high=2**62)).first()
    if item is None:
        raise P.invalid("service_item", _("is not a service item of this engagement"))
    return item


def _not_future(data: dict[str, Any]) -> Any:
    day = P.day(data, "date")
    if day > timezone.localdate():  # type: ignore[operator]
        raise P.invalid("date", _("cannot be in the future"))
    return day


def add_work_log_entry(
    engagement: Engagement,
    data: dict[str, Any],
    *,
    files: list[Any] = (),
    actor: Any = None,
    request: Any = None,
) -> WorkLogEntry:
    """A work log entry with optional attachments, all or nothing."""
    clean = {
        "date": _not_future(data),
        "title": P.text(data, "title"),
        "content": P.text(data, "content", required=False, max_length=20000),
        "service_item": _service_item(engagement, data),
    }
    checked = check_uploads(list(files))
    with _atomic_with_files() as written:
        entry = WorkLogEntry.objects.create(
            engagement=engagement, author=actor if getattr(actor, "pk", None) else None, **clean
        )
        _store(written, engagement, checked, actor, work_log_entry=entry)
        record(
            "worklog.add",
            actor=actor,
            request=request,
            object_type="work_log_entry",
            object_id=entry.pk,
            details={"engagement": engagement.pk, "attachments": len(checked)},
        )
    return entry


def add_maintenance_record(
    engagement: Engagement,
    data: dict[str, Any],
    *,
    files: list[Any] = (),
    actor: Any = None,
    request: Any = None,
) -> MaintenanceRecord:
    """A maintenance record with optional attachments, all or nothing."""
    clean = {
        "date": _not_future(data),
        "target": P.text(data, "target"),
        "work_type": P.text(data, "work_type", max_length=64),
        "description": P.text(data, "description", max_length=20000),
        "result": P.text(data, "result", required=False, max_length=20000),
    }
    checked = check_uploads(list(files))
    with _atomic_with_files() as written:
        entry = MaintenanceRecord.objects.create(
            engagement=engagement,
            performed_by=actor if getattr(actor, "pk", None) else None,
            **clean,
        )
        _store(written, engagement, checked, actor, maintenance_record=entry)
        record(
            "maintenance.add",
            actor=actor,
            request=request,
            object_type="maintenance_record",
            object_id=entry.pk,
            details={"engagement": engagement.pk, "attachments": len(checked)},
        )
    return entry


def add_attachments(
    owner: WorkLogEntry | MaintenanceRecord,
    files: list[Any],
    *,
    actor: Any = None,
    request: Any = None,
) -> list[Attachment]:
    """More files for an existing entry."""
    checked = check_uploads(list(files))
    if not checked:
        raise P.invalid("file", _("is required"))
    key = "work_log_entry" if isinstance(owner, WorkLogEntry) else "maintenance_record"
    with _atomic_with_files() as written:
        _store(written, owner.engagement, checked, actor, **{key: owner})
        record(
            "attachment.add",
            actor=actor,
            request=request,
            object_type=key,
            object_id=owner.pk,
            details={"files": [a.sha256 for a in written]},
        )
    return written


def content_type(attachment: Attachment) -> str:
    return CONTENT_TYPES.get(attachment.extension, "application/octet-stream")
