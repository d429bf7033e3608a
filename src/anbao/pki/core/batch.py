"""Validating a batch of holders (CSV or XLSX rows) before anything is issued."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from anbao.errors import ValidationError

REQUIRED = ("name", "email", "unit", "profile")
OPTIONAL = ("username", "phone")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]{1,150}$")
PHONE_RE = re.compile(r"^[0-9+()\- ]{5,32}$")
MAX_ROWS = 10_000


@dataclass(frozen=True)
class BatchRow:
    line: int  # as a person counts in the file: the header is line 1
    name: str
    email: str
    unit: str
    profile: str
    username: str = ""
    phone: str = ""


@dataclass(frozen=True)
class RowError:
    """One problem: where it is and a stable code (the adapter words it for a person)."""

    line: int
    column: str
    code: str  # missing_column unknown_column length email profile username phone
    #            duplicate too_many empty
    detail: str = ""

    def __str__(self) -> str:
        return f"row {self.line}, column {self.column}: {self.code} {self.detail}".rstrip()


class BatchInvalid(ValidationError):
    """The whole file is refused; ``errors`` names every row and column at fault."""

    code = "invalid_batch"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors[:5]))
        self.errors = errors


def validate(
    header: Sequence[str], rows: Iterable[Sequence[object]], default_profile: str | None = None
) -> list[BatchRow]:
    """Check every row; raise BatchInvalid listing all problems, or return the rows."""
    columns = [str(h or "").strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if default_profile and "profile" in missing:
        missing.remove("profile")
    unknown = [c for c in columns if c and c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        problems = [RowError(1, c, "missing_column") for c in missing]
        problems += [RowError(1, c, "unknown_column") for c in unknown]
        raise BatchInvalid(problems)
    errors: list[RowError] = []
    result: list[BatchRow] = []
    seen_emails: dict[str, int] = {}
    seen_users: dict[str, int] = {}
    for index, raw in enumerate(rows, start=2):
        if index - 1 > MAX_ROWS:
            raise BatchInvalid([RowError(index, "-", "too_many", str(MAX_ROWS))])
        cells = ["" if v is None else str(v).strip() for v in raw]
        if not any(cells):
            continue  # blank lines are allowed between blocks
        values = {c: (cells[i] if i < len(cells) else "") for i, c in enumerate(columns) if c}
        row, row_errors = _check(index, values, default_profile)
        for key, seen, column in (
            (row.email.lower(), seen_emails, "email"),
            (row.username, seen_users, "username"),
        ):
            if key and key in seen:
                row_errors.append(RowError(index, column, "duplicate", str(seen[key])))
            elif key:
                seen[key] = index
        errors += row_errors
        result.append(row)
    if errors:
        raise BatchInvalid(errors)
    if not result:
        raise BatchInvalid([RowError(2, "-", "empty")])
    return result


def _check(
    line: int, v: dict[str, str], default_profile: str | None
) -> tuple[BatchRow, list[RowError]]:
    errors = []
    name, email, unit = v.get("name", ""), v.get("email", ""), v.get("unit", "")
    profile = (v.get("profile") or default_profile or "").lower()
    username, phone = v.get("username", ""), v.get("phone", "")
    if not name or len(name) > 64:
        errors.append(RowError(line, "name", "length", "64"))
    if not EMAIL_RE.match(email):
        errors.append(RowError(line, "email", "email", email))
    if len(unit) > 64:
        errors.append(RowError(line, "unit", "length", "64"))
    if profile not in {"pc", "mobile"}:
        errors.append(RowError(line, "profile", "profile", profile))
    if username and not USERNAME_RE.match(username):
        errors.append(RowError(line, "username", "username", username))
    if phone and not PHONE_RE.match(phone):
        errors.append(RowError(line, "phone", "phone", phone))
    return BatchRow(line, name, email, unit, profile, username, phone), errors
