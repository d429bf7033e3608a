"""Reading inputs and writing outputs for CLI commands: all or nothing, never half-written."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from anbao.errors import ValidationError


def read_input(path: str) -> bytes:
    """The bytes of ``path``; ``-`` reads stdin."""
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        return Path(path).read_bytes()
    except OSError as exc:
        raise ValidationError(
            _("cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        ) from None


def write_files(outputs: list[tuple[str, bytes, bool]]) -> None:
    """Write every ``(path, data, private)`` to a temporary name beside it, then rename all.

    A failure before the renames leaves no trace; private files get mode 0600; ``-`` writes
    to stdout.
    """
    staged: list[tuple[str, Path]] = []
    placed: list[Path] = []
    try:
        for path, data, private in outputs:
            if path == "-":
                sys.stdout.buffer.write(data)
                sys.stdout.flush()
                continue
            target = Path(path)
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((path, Path(name)))
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(name, 0o600 if private else 0o644)
        for final, _tmp in staged:
            if Path(final).is_dir():
                raise IsADirectoryError(21, os.strerror(21), final)
        for final, tmp in staged:
            existed = Path(final).exists()
            os.replace(tmp, final)
            if not existed:
                placed.append(Path(final))
    except OSError as exc:
        for _final, tmp in staged:
            tmp.unlink(missing_ok=True)
        for path in placed:  # a late failure takes back the new files already in place
            path.unlink(missing_ok=True)
        name = exc.filename if isinstance(exc.filename, str) else outputs[-1][0]
        raise ValidationError(
            _("cannot write %(path)s: %(reason)s") % {"path": name, "reason": exc.strerror}
        ) from None
