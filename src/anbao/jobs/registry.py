"""The registry of job kinds: ``@job("domain.action")`` makes a function runnable as a job.

A kind is a function ``fn(ctx, **params)`` returning a JSON-serialisable result. ``ctx``
reports progress (``ctx.progress(pct, message)``), appends to the log (``ctx.log(line)``) and
stops when a cancel was requested (``ctx.check_cancelled()``). Each app declares its kinds in
its ``tasks`` module, which ``JobsConfig.ready`` imports in every process (web, CLI, worker).

This module imports no models, so any app may import ``job`` at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from anbao.errors import ValidationError

JobFunction = Callable[..., Any]
ParamsValidator = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    fn: JobFunction
    label: Any = ""
    validate: ParamsValidator | None = None
    description: Any = ""
    defaults: dict[str, Any] = field(default_factory=dict)

    def clean_params(self, params: dict[str, Any]) -> dict[str, Any]:
        merged = {**self.defaults, **params}
        return self.validate(merged) if self.validate else merged


_KINDS: dict[str, JobKind] = {}


def job(
    name: str,
    *,
    label: Any = "",
    validate: ParamsValidator | None = None,
    description: Any = "",
    defaults: dict[str, Any] | None = None,
) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn`` as the job kind ``name``; re-registering a name replaces it."""

    def register(fn: JobFunction) -> JobFunction:
        _KINDS[name] = JobKind(
            name=name,
            fn=fn,
            label=label or name,
            validate=validate,
            description=description,
            defaults=dict(defaults or {}),
        )
        return fn

    return register


def unregister(name: str) -> None:
    _KINDS.pop(name, None)


def get_kind(name: str) -> JobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise ValidationError(
            _("Unknown job kind: %(kind)s") % {"kind": name}, code="unknown_kind"
        ) from None


def kinds() -> list[JobKind]:
    return [_KINDS[name] for name in sorted(_KINDS)]
