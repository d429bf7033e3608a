"""The report kinds anbao knows, by key.

A capability adds its report by registering a ``ReportKind`` once, usually from its
AppConfig.ready()::

    from anbao.reports import registry
    from anbao.reports.core import ReportKind

    registry.register(ReportKind("inspection", "安全巡检报告", build_inspection_report))

The kinds that ship with the reports app live in ``anbao.reports.kinds`` and are loaded the
first time the registry is read.
"""

from __future__ import annotations

import importlib
import threading

from django.utils.translation import gettext as _

from anbao.errors import Conflict, NotFound
from anbao.reports.core import ReportKind

_KINDS: dict[str, ReportKind] = {}
_lock = threading.Lock()
_builtin_loaded = False


def register(kind: ReportKind, *, replace: bool = False) -> ReportKind:
    """Add ``kind``; registering the same object again is harmless, a different one conflicts."""
    with _lock:
        existing = _KINDS.get(kind.key)
        if existing is not None and existing is not kind and not replace:
            raise Conflict(_("A report kind %(key)s is already registered.") % {"key": kind.key})
        _KINDS[kind.key] = kind
    return kind


def unregister(key: str) -> None:
    with _lock:
        _KINDS.pop(key, None)


def _load_builtin() -> None:
    global _builtin_loaded
    if not _builtin_loaded:
        _builtin_loaded = True
        importlib.import_module("anbao.reports.kinds")


def get(key: str) -> ReportKind:
    _load_builtin()
    try:
        return _KINDS[key]
    except KeyError:
        known = "、".join(sorted(_KINDS)) or _("none")
        raise NotFound(
            _("Unknown report kind %(key)s; known kinds: %(known)s.")
            % {"key": key, "known": known},
            code="unknown_report_kind",
        ) from None


def kinds() -> list[ReportKind]:
    """Every registered kind, ordered by key."""
    _load_builtin()
    return [_KINDS[k] for k in sorted(_KINDS)]
