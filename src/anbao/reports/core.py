"""The report document model: what a report says, independent of how it is rendered.

A report kind turns a context (an engagement, a date, a version) into a ``ReportDocument``;
a ``ReportRenderer`` turns that document into bytes (``.docx``, PDF). Nothing here knows
about Django, files or programs, so kinds can be tested by comparing dataclasses.

    ReportDocument
    ├── cover: Cover          title, system, client, provider, date, number, 密级, version
    └── sections: [Section]   heading, level 1-3, blocks
                  blocks:     Paragraph | BulletList | Table | Chart
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from anbao.errors import ValidationError

MAX_HEADING_LEVEL = 3
DOCUMENT_NUMBER_PREFIX = "ANBAO"
_KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_NUMBER_RE = re.compile(r"^ANBAO-([A-Z][A-Z0-9_]{0,31})-(\d{8})-V(\d{2,})$")


@dataclass(frozen=True)
class Cover:
    """The cover page. ``classification`` is the 密级 printed in the top corner."""

    title: str
    system: str
    client: str
    provider: str
    date: date
    document_number: str
    classification: str = "内部"
    version: int = 1
    subtitle: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class BulletList:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table with one header row; every row has as many cells as there are headers."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""

    def __post_init__(self) -> None:
        if not self.headers:
            raise ValidationError("a table needs at least one column")
        for index, row in enumerate(self.rows, start=1):
            if len(row) != len(self.headers):
                raise ValidationError(
                    f"table row {index} has {len(row)} cells, the header has {len(self.headers)}"
                )


class ChartType(enum.StrEnum):
    BAR = "bar"
    LINE = "line"
    PIE = "pie"


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """A chart: one value per category in each series; a pie takes exactly one series."""

    type: ChartType
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    caption: str = ""
    y_label: str = ""
    horizontal: bool = False  # bars along the x axis: for many or long category names

    def __post_init__(self) -> None:
        if not self.categories or not self.series:
            raise ValidationError("a chart needs categories and at least one series")
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValidationError(
                    f"series {s.name!r} has {len(s.values)} values "
                    f"for {len(self.categories)} categories"
                )
        if self.type is ChartType.PIE:
            if len(self.series) != 1:
                raise ValidationError("a pie chart takes exactly one series")
            if any(v < 0 for v in self.series[0].values):
                raise ValidationError("a pie chart cannot show negative values")


Block = Paragraph | BulletList | Table | Chart


@dataclass(frozen=True)
class Section:
    heading: str
    level: int = 1
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class ReportDocument:
    cover: Cover
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        heading_numbers(self.sections)  # raises on a level that skips a step

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


def heading_numbers(sections: Sequence[Section]) -> list[str]:
    """The outline number of each section: "1", "1.1", "1.1.1", "2", ...

    A section may go back up any number of levels but down only one at a time, and the
    first section is level 1, so every number has a parent.
    """
    counters = [0] * MAX_HEADING_LEVEL
    numbers: list[str] = []
    previous = 0
    for section in sections:
        level = section.level
        if not 1 <= level <= MAX_HEADING_LEVEL:
            raise ValidationError(
                f"heading level {level} of {section.heading!r} is outside 1-{MAX_HEADING_LEVEL}"
            )
        if level > previous + 1:
            raise ValidationError(
                f"heading {section.heading!r} jumps from level {previous} to {level}"
            )
        counters[level - 1] += 1
        for deeper in range(level, MAX_HEADING_LEVEL):
            counters[deeper] = 0
        numbers.append(".".join(str(n) for n in counters[:level]))
        previous = level
    return numbers


def check_kind_key(key: str) -> None:
    if not _KEY_RE.match(key):
        raise ValidationError(
            f"report kind key {key!r} must be lower-case letters, digits and _ (at most 32)"
        )


def document_number(kind_key: str, day: date, version: int) -> str:
    """ANBAO-<KIND>-<YYYYMMDD>-V<version>, e.g. ``ANBAO-STATUS-20260105-V03``."""
    check_kind_key(kind_key)
    if version < 1:
        raise ValidationError(f"a document version starts at 1, got {version}")
    return f"{DOCUMENT_NUMBER_PREFIX}-{kind_key.upper()}-{day:%Y%m%d}-V{version:02d}"


@dataclass(frozen=True)
class DocumentNumber:
    kind_key: str
    day: date
    version: int


def parse_document_number(text: str) -> DocumentNumber:
    match = _NUMBER_RE.match(text.strip())
    if match is None:
        raise ValidationError(f"{text!r} is not an anbao document number")
    kind, digits, version = match.groups()
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError(f"{text!r} holds an impossible date") from None
    return DocumentNumber(kind.lower(), day, int(version))


@dataclass(frozen=True)
class RenderContext:
    """What a kind builds from: the subject (an engagement), the day, this file's identity."""

    subject: Any
    today: date
    version: int
    document_number: str
    author: str = ""


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: a stable key, a title for people, and how to build the document."""

    key: str
    title: str
    build: Callable[[RenderContext], ReportDocument]
    description: str = ""

    def __post_init__(self) -> None:
        check_kind_key(self.key)


class ReportFormat(enum.StrEnum):
    DOCX = "docx"
    PDF = "pdf"


FORMAT_SUFFIXES = {".docx": ReportFormat.DOCX, ".pdf": ReportFormat.PDF}


def format_from_filename(name: str) -> ReportFormat | None:
    """The format a file name asks for by its extension, or None for any other extension."""
    dot = name.rfind(".")
    return FORMAT_SUFFIXES.get(name[dot:].lower()) if dot >= 0 else None


class ReportRenderer(Protocol):
    """Turns a document into the bytes of one file format."""

    format: ReportFormat

    def render(self, document: ReportDocument) -> bytes: ...
