"""DocxReportRenderer: a ``ReportDocument`` as a Word file laid out the Chinese way.

A4; body text in a serif CJK face at 小四 (12 pt) with a two-character first-line indent and
1.5 line spacing; headings in a sans CJK face (黑体 style), numbered 1 / 1.1 / 1.1.1; a cover
page; a table of contents field; a header with the system and document number; a footer
"第 X 页 共 Y 页" from PAGE and NUMPAGES fields; tables captioned above, figures below.

The table of contents is a real ``TOC`` field, so Word rebuilds it (the file asks Word to update
fields on open). Its cached entries are written here too, because LibreOffice shows the cached
entries rather than rebuilding them: ``render(document, heading_pages=...)`` fills in page
numbers that ``anbao.reports.pdf`` measured in a first conversion.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from anbao.reports import charts
from anbao.reports import docx_xml as x
from anbao.reports.core import (
    BulletList,
    Chart,
    Paragraph,
    ReportDocument,
    ReportFormat,
    Section,
    Table,
    heading_numbers,
)

TOC_INSTRUCTION = 'TOC \\o "1-3" \\h \\z \\u'
HEADING_SIZES = {1: Pt(16), 2: Pt(14), 3: Pt(12)}  # 三号, 四号, 小四
BODY_SIZE = Pt(12)  # 小四
TABLE_SIZE = Pt(10.5)  # 五号
HEADER_FILL = "D9E2F3"
BLACK = RGBColor(0, 0, 0)
TEXT_WIDTH_CM = 15.6  # A4 less the 2.8 cm and 2.6 cm side margins


def _twips_cm(cm: float) -> int:
    return round(cm / 2.54 * 1440)


def bookmark_name(index: int) -> str:
    """The hidden bookmark on the heading of section ``index`` (Word's ``_Toc`` convention)."""
    return f"_Toc{index + 1:08d}"


class DocxReportRenderer:
    """Renders to ``.docx`` with python-docx. Fonts are parameters so a site can use SimSun."""

    format = ReportFormat.DOCX

    def __init__(
        self,
        *,
        body_font: str = "Noto Serif CJK SC",
        heading_font: str = "Noto Sans CJK SC",
        latin_font: str = "Times New Roman",
    ):
        self.body_font = body_font
        self.heading_font = heading_font
        self.latin_font = latin_font

    def render(
        self, document: ReportDocument, heading_pages: Mapping[int, int] | None = None
    ) -> bytes:
        """The ``.docx`` bytes; ``heading_pages`` maps a section index to its page number."""
        doc = Document()
        self._page_setup(doc)
        self._styles(doc)
        self._properties(doc, document)
        numbers = heading_numbers(document.sections)
        self._cover(doc, document)
        self._toc(doc, document, numbers, heading_pages)
        counters = {"table": 0, "figure": 0}
        for index, (section, number) in enumerate(zip(document.sections, numbers, strict=True)):
            self._section(doc, index, section, number, counters)
        self._header_footer(doc, document)
        if heading_pages is None:
            x.set_update_fields_on_open(doc.settings.element)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    # ---- page and styles -----------------------------------------------------------------

    def _page_setup(self, doc: Any) -> None:
        section = doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(30), Mm(25)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.header_distance, section.footer_distance = Mm(15), Mm(12)
        section.different_first_page_header_footer = True  # a bare cover page
        section.start_type = WD_SECTION.NEW_PAGE

    def _styles(self, doc: Any) -> None:
        styles = doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        x.set_fonts(rpr, latin=self.latin_font, east_asia=self.body_font)
        x.set_language(rpr)

        normal = styles["Normal"]
        self._font(normal, self.body_font, BODY_SIZE)
        pf = normal.paragraph_format
        pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.5
        pf.widow_control = True

        body = styles["Body Text"]
        self._font(body, self.body_font, BODY_SIZE)
        body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        body.paragraph_format.space_after = Pt(0)
        x.first_line_indent_chars(body.element.get_or_add_pPr())

        for level, size in HEADING_SIZES.items():
            style = styles[f"Heading {level}"]
            self._font(style, self.heading_font, size, bold=True)
            pf = style.paragraph_format
            pf.space_before, pf.space_after = Pt(18 if level == 1 else 12), Pt(6)
            pf.line_spacing, pf.keep_with_next = 1.25, True

        self._font(styles["List Bullet"], self.body_font, BODY_SIZE)
        caption = styles["Caption"]
        self._font(caption, self.heading_font, TABLE_SIZE, bold=False)
        caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(6), Pt(6)

        table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
        table_text.base_style = normal
        self._font(table_text, self.body_font, TABLE_SIZE)
        table_text.paragraph_format.line_spacing = 1.15

        text_width = Cm(TEXT_WIDTH_CM)
        for level in (1, 2, 3):
            toc = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            toc.base_style = normal
            self._font(toc, self.heading_font if level == 1 else self.body_font, BODY_SIZE)
            toc.paragraph_format.left_indent = Cm(0.85 * (level - 1))
            toc.paragraph_format.tab_stops.add_tab_stop(
                text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
            )

    def _font(self, style: Any, east_asia: str, size: Any, *, bold: bool | None = None) -> None:
        font = style.font
        font.size, font.color.rgb = size, BLACK
        if bold is not None:
            font.bold = bold
        font.italic = False
        # Headings keep one face for Latin and Chinese (a sans with a sans); body text pairs
        # the CJK serif with the Latin serif, as Word does with 宋体 and Times New Roman.
        latin = east_asia if east_asia == self.heading_font else self.latin_font
        x.set_fonts(style.element, latin=latin, east_asia=east_asia)

    def _properties(self, doc: Any, document: ReportDocument) -> None:
        cover = document.cover
        props = doc.core_properties
        props.title, props.subject = cover.title, cover.system
        props.author, props.last_modified_by = cover.provider, cover.provider
        props.identifier, props.keywords = cover.document_number, cover.document_number
        props.category, props.language = cover.classification, "zh-CN"
        props.revision = cover.version
        props.created = props.modified = datetime.combine(cover.date, time(9, 0))

    # ---- cover and contents --------------------------------------------------------------

    def _cover(self, doc: Any, document: ReportDocument) -> None:
        cover = document.cover
        top = doc.add_paragraph()
        top.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        self._run(top, f"密级：{cover.classification}", self.heading_font, Pt(12), bold=True)
        self._run(top, f"\t文档编号：{cover.document_number}", self.body_font, Pt(10.5))
        for _ in range(5):
            doc.add_paragraph()
        system = doc.add_paragraph()
        system.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(system, cover.system, self.heading_font, Pt(16), bold=True)
        title = doc.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        title.paragraph_format.space_before = Pt(18)
        self._run(title, cover.title, self.heading_font, Pt(26), bold=True)  # 一号
        if cover.subtitle:
            sub = doc.add_paragraph()
            sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self._run(sub, cover.subtitle, self.body_font, Pt(14))
        for _ in range(6):
            doc.add_paragraph()
        rows = [
            ("委托单位", cover.client),
            ("服务单位", cover.provider),
            ("文档编号", cover.document_number),
            ("版本", f"V{cover.version}"),
            ("日期", f"{cover.date.year}年{cover.date.month}月{cover.date.day}日"),
        ]
        table = doc.add_table(rows=0, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for label, value in rows:
            cells = table.add_row().cells
            self._cell_text(cells[0], label, bold=True, size=Pt(14), align="distribute")
            self._cell_text(cells[1], value, size=Pt(14), underline=True)
        x.set_column_widths(table, [_twips_cm(3.2), _twips_cm(9.8)])
        brk = doc.add_paragraph()
        brk.add_run().add_break(WD_BREAK.PAGE)

    def _toc(
        self,
        doc: Any,
        document: ReportDocument,
        numbers: list[str],
        pages: Mapping[int, int] | None,
    ) -> None:
        heading = doc.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.paragraph_format.space_after = Pt(12)
        self._run(heading, "目　　录", self.heading_font, Pt(16), bold=True)
        entries = list(enumerate(zip(document.sections, numbers, strict=True)))
        if not entries:
            entries_paragraph = doc.add_paragraph(style="toc 1")
            for run in x.field_begin(TOC_INSTRUCTION, dirty=True):
                entries_paragraph._p.append(run)
            entries_paragraph._p.append(x.field_end())
        for position, (index, (section, number)) in enumerate(entries):
            p = doc.add_paragraph(style=f"toc {section.level}")
            if position == 0:
                for run in x.field_begin(TOC_INSTRUCTION):
                    p._p.append(run)
            page = str(pages[index]) if pages and index in pages else ""
            x.append_toc_entry(p, bookmark_name(index), f"{number}  {section.heading}", page)
            if position == len(entries) - 1:
                p._p.append(x.field_end())
        brk = doc.add_paragraph()
        brk.add_run().add_break(WD_BREAK.PAGE)

    # ---- body ----------------------------------------------------------------------------

    def _section(
        self, doc: Any, index: int, section: Section, number: str, counters: dict[str, int]
    ) -> None:
        heading = doc.add_paragraph(style=f"Heading {section.level}")
        heading.add_run(f"{number}  {section.heading}")
        x.add_bookmark(heading, index + 1, bookmark_name(index))
        for block in section.blocks:
            if isinstance(block, Paragraph):
                p = doc.add_paragraph(style="Body Text")
                p.add_run(block.text).bold = block.bold or None
            elif isinstance(block, BulletList):
                for item in block.items:
                    doc.add_paragraph(item, style="List Bullet")
            elif isinstance(block, Table):
                counters["table"] += 1
                self._table(doc, block, counters["table"])
            elif isinstance(block, Chart):
                counters["figure"] += 1
                self._chart(doc, block, counters["figure"])

    def _table(self, doc: Any, block: Table, number: int) -> None:
        caption = doc.add_paragraph(style="Caption")
        caption.add_run(f"表 {number}　{block.caption}".rstrip("　"))
        caption.paragraph_format.keep_with_next = True
        table = doc.add_table(rows=1, cols=len(block.headers))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        header = table.rows[0]
        x.mark_header_row(header)
        for cell, text in zip(header.cells, block.headers, strict=True):
            x.shade_cell(cell, HEADER_FILL)
            self._cell_text(cell, text, bold=True, align="center")
        # A column of short values (counts, dates, states) is centred, a column of text is not.
        centred = [all(_is_short(row[i]) for row in block.rows) for i in range(len(block.headers))]
        for values in block.rows:
            row = table.add_row()
            x.keep_row_together(row)
            for cell, text, centre in zip(row.cells, values, centred, strict=True):
                self._cell_text(cell, text, align="center" if centre else "left")
        widths = column_widths(block, total_cm=TEXT_WIDTH_CM)
        x.set_column_widths(table, [_twips_cm(w) for w in widths])
        doc.add_paragraph()

    def _chart(self, doc: Any, block: Chart, number: int) -> None:
        png = charts.render_png(block)
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(png), width=Cm(15))
        caption = doc.add_paragraph(style="Caption")
        caption.add_run(f"图 {number}　{block.caption or block.title}")

    # ---- header and footer ---------------------------------------------------------------

    def _header_footer(self, doc: Any, document: ReportDocument) -> None:
        section = doc.sections[0]
        for name in ("Header", "Footer"):
            doc.styles[name].paragraph_format.tab_stops.clear_all()
        header = section.header.paragraphs[0]
        header.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
        self._run(header, _clip(document.cover.system, 60), self.body_font, Pt(9))
        self._run(header, f"\t{document.cover.document_number}", self.body_font, Pt(9))
        x.paragraph_border_bottom(header)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(footer, "第 ", self.body_font, Pt(9))
        x.append_field(footer, "PAGE", "1")
        self._run(footer, " 页  共 ", self.body_font, Pt(9))
        x.append_field(footer, "NUMPAGES", "1")
        self._run(footer, " 页", self.body_font, Pt(9))

    # ---- small helpers -------------------------------------------------------------------

    def _run(
        self,
        paragraph: Any,
        text: str,
        east_asia: str,
        size: Any,
        *,
        bold: bool = False,
        underline: bool = False,
    ) -> Any:
        run = paragraph.add_run(text)
        run.font.size, run.font.bold = size, bold or None
        if underline:
            run.font.underline = True
        latin = east_asia if east_asia == self.heading_font else self.latin_font
        x.set_fonts(run._r, latin=latin, east_asia=east_asia)
        return run

    def _cell_text(
        self,
        cell: Any,
        text: str,
        *,
        bold: bool = False,
        size: Any = TABLE_SIZE,
        align: str = "left",
        underline: bool = False,
    ) -> None:
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        p = cell.paragraphs[0]
        p.style = "Table Text"
        p.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "distribute": WD_ALIGN_PARAGRAPH.DISTRIBUTE,
        }[align]
        font = self.heading_font if bold else self.body_font
        self._run(p, text, font, size, bold=bold, underline=underline)


def _clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` half-em units with an ellipsis, so a header stays one line."""
    if display_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if display_width(out + ch) > width - 2:
            break
        out += ch
    return out + "…"


def _is_short(text: str) -> bool:
    return display_width(text) <= 10


def display_width(text: str) -> int:
    """Width in half-em units: a CJK character counts two, anything else one."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def column_widths(table: Table, *, total_cm: float) -> list[float]:
    """Share ``total_cm`` between columns so that short values (dates, amounts) stay on one line.

    Each column wants the width of its longest text (capped); when the wants fit, the spare
    width goes to every column in proportion; when they do not, columns of short values keep
    their width and the long-text columns share what is left.
    """
    per_unit, padding, minimum, short = 0.21, 0.5, 1.4, 16  # cm per half-em at 10.5 pt
    longest = [
        max([display_width(table.headers[i]), *(display_width(r[i]) for r in table.rows)])
        for i in range(len(table.headers))
    ]
    wants = [max(minimum, min(units, 60) * per_unit + padding) for units in longest]
    if sum(wants) <= total_cm:
        scale = total_cm / sum(wants)
        return [round(w * scale, 2) for w in wants]
    fixed = [w if units <= short else 0.0 for w, units in zip(wants, longest, strict=True)]
    flexible = [w if not f else 0.0 for w, f in zip(wants, fixed, strict=True)]
    left = total_cm - sum(fixed)
    if not any(flexible) or left < minimum * sum(1 for f in flexible if f):
        return [round(total_cm * w / sum(wants), 2) for w in wants]
    return [round(f or left * w / sum(flexible), 2) for f, w in zip(fixed, flexible, strict=True)]
