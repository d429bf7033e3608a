"""Charts for reports: matplotlib (Agg) to PNG, with a CJK font or not at all.

A chart drawn without a CJK font shows boxes ("tofu") where the Chinese should be; rather than
ship that, ``cjk_font()`` raises a ConfigurationError naming the package to install.
"""

from __future__ import annotations

import io
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from anbao.errors import ConfigurationError
from anbao.reports.core import Chart, ChartType

# Preferred families, best first: Simplified Chinese faces of Noto (fonts-noto-cjk), then the
# same design under its Adobe name, then common alternatives.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
)
_PROBE = "项目进度报告交付"
_PALETTE = ("#0b4f8a", "#e07b24", "#3a9d5d", "#b42318", "#7a5195", "#8c8c8c")
_lock = threading.Lock()  # pyplot's state is global


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, Path]:
    """(family, file) of an installed font that has glyphs for Chinese text."""
    from matplotlib import font_manager, ft2font

    # One file per family, the regular weight when there is one.
    entries: dict[str, Any] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.name not in entries or entry.weight in (400, "normal", "regular"):
            entries[entry.name] = entry
    for family in CJK_FAMILIES:
        entry = entries.get(family)
        if entry is None:
            continue
        font = ft2font.FT2Font(entry.fname)
        if all(font.get_char_index(ord(ch)) for ch in _PROBE):
            return family, Path(entry.fname)
    raise ConfigurationError(
        _("No Chinese (CJK) font is installed for charts; install fonts-noto-cjk.")
    )


def render_png(
    chart: Chart, *, width_cm: float = 15.0, height_cm: float | None = None, dpi: int = 200
) -> bytes:
    """Draw ``chart`` and return PNG bytes; a horizontal bar chart grows with its categories."""
    if height_cm is None:
        height_cm = max(8.0, 1.0 * len(chart.categories) + 2.0) if chart.horizontal else 8.0
    # A bare Figure draws with the Agg canvas without touching pyplot's global backend.
    import matplotlib
    from matplotlib.figure import Figure

    family, _path = cjk_font()
    with (
        _lock,
        matplotlib.rc_context(
            {
                "font.family": "sans-serif",
                "font.sans-serif": [family, "DejaVu Sans"],
                "axes.unicode_minus": False,
                "svg.hashsalt": "anbao",
            }
        ),
    ):
        fig = Figure(figsize=(width_cm / 2.54, height_cm / 2.54), dpi=dpi)
        ax = fig.add_subplot()
        _draw(ax, chart)
        ax.set_title(chart.title, fontsize=11)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def _draw(ax: Any, chart: Chart) -> None:
    cats = list(chart.categories)
    if chart.type is ChartType.PIE:
        values = chart.series[0].values
        if not any(values):
            ax.text(0.5, 0.5, _("No data"), ha="center", va="center")
            ax.set_axis_off()
            return
        ax.pie(
            values,
            labels=cats,
            colors=_PALETTE[: len(cats)],
            autopct="%1.0f%%",
            startangle=90,
            counterclock=False,
        )
        ax.set_aspect("equal")
        return
    count = len(chart.series)
    width = 0.8 / count
    positions = list(range(len(cats)))
    horizontal = chart.horizontal and chart.type is ChartType.BAR
    for i, series in enumerate(chart.series):
        color = _PALETTE[i % len(_PALETTE)]
        offsets = [p - 0.4 + width * (i + 0.5) for p in positions]
        if horizontal:
            bars = ax.barh(offsets, series.values, width, label=series.name, color=color)
            ax.bar_label(bars, fmt="%g", fontsize=7, padding=2)
        elif chart.type is ChartType.BAR:
            bars = ax.bar(offsets, series.values, width, label=series.name, color=color)
            ax.bar_label(bars, fmt="%g", fontsize=7, padding=1)
        else:
            ax.plot(positions, series.values, marker="o", label=series.name, color=color)
    if horizontal:
        ax.set_yticks(positions, cats, fontsize=8)
        ax.invert_yaxis()  # the first category on top, as in the table beside it
        ax.tick_params(axis="x", labelsize=8)
        if chart.y_label:
            ax.set_xlabel(chart.y_label, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    else:
        ax.set_xticks(positions, cats, fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
        if chart.y_label:
            ax.set_ylabel(chart.y_label, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    ax.spines[["top", "right"]].set_visible(False)
    if count > 1:
        ax.legend(fontsize=8, frameon=False)
