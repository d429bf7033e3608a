"""Low-level WordprocessingML helpers that python-docx has no API for.

Fonts for East Asian text, fields (PAGE, NUMPAGES, TOC, PAGEREF), bookmarks, hyperlinks to
bookmarks, cell shading, repeated table header rows.
"""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

# Theme font attributes override explicit font names; they must go for the names to count.
_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")
# Word rejects a file whose elements are out of schema order, so new children go before the
# first successor that is present.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)


def set_fonts(rpr_owner: Any, *, latin: str, east_asia: str) -> None:
    """Give a run, a style or the document defaults a Latin font and an East Asian font.

    ``rpr_owner`` is anything with ``get_or_add_rPr()`` (a CT_R, CT_Style, CT_RPrDefault's
    parent) or a ``w:rPr`` element itself.
    """
    rpr = rpr_owner if rpr_owner.tag == qn("w:rPr") else rpr_owner.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attr in _THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:hint"), "eastAsia")


def set_language(rpr: Any, *, latin: str = "en-US", east_asia: str = "zh-CN") -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.insert_element_before(lang, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    lang.set(qn("w:val"), latin)
    lang.set(qn("w:eastAsia"), east_asia)


def _fld_char(kind: str, *, dirty: bool = False) -> Any:
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), kind)
    if dirty:
        el.set(qn("w:dirty"), "true")
    return el


def _run(*children: Any, text: str | None = None) -> Any:
    r = OxmlElement("w:r")
    for child in children:
        r.append(child)
    if text is not None:
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        r.append(t)
    return r


def field_begin(instruction: str, *, dirty: bool = False) -> list[Any]:
    """The runs that open a complex field up to its (cached) result."""
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    return [_run(_fld_char("begin", dirty=dirty)), _run(instr), _run(_fld_char("separate"))]


def field_end() -> Any:
    return _run(_fld_char("end"))


def append_field(paragraph: Any, instruction: str, cached: str = "") -> None:
    """A complete field such as PAGE or NUMPAGES, with ``cached`` as its last known result."""
    p = paragraph._p
    for run in field_begin(instruction):
        p.append(run)
    p.append(_run(text=cached))
    p.append(field_end())


def add_bookmark(paragraph: Any, bookmark_id: int, name: str) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bookmark_id))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bookmark_id))
    p = paragraph._p
    ppr = p.find(qn("w:pPr"))
    p.insert(1 if ppr is not None else 0, start)
    p.append(end)


def append_toc_entry(paragraph: Any, anchor: str, text: str, page: str) -> None:
    """One cached table-of-contents line: a link to the heading, a tab, a PAGEREF field."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    link.append(_run(text=text))
    link.append(_run(OxmlElement("w:tab")))
    for run in field_begin(f"PAGEREF {anchor} \\h"):
        link.append(run)
    link.append(_run(text=page))
    link.append(field_end())
    paragraph._p.append(link)


def shade_cell(cell: Any, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.insert_element_before(
        shd,
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
        "w:headers",
        "w:cellIns",
        "w:cellDel",
        "w:cellMerge",
        "w:tcPrChange",
    )


def mark_header_row(row: Any) -> None:
    """Repeat this row at the top of every page the table runs onto; never split it."""
    trpr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "true")
        trpr.append(el)


def keep_row_together(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:cantSplit")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def paragraph_border_bottom(paragraph: Any, *, size: int = 6, color: str = "000000") -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", str(size)),
        ("w:space", "1"),
        ("w:color", color),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def first_line_indent_chars(ppr: Any, hundredths: int = 200) -> None:
    """Indent the first line by character widths (200 = two characters, the Chinese norm)."""
    ind = ppr.get_or_add_ind()
    ind.set(qn("w:firstLineChars"), str(hundredths))
    # LibreOffice reads only the absolute indent: two 12 pt characters are 480 twips.
    ind.set(qn("w:firstLine"), str(hundredths * 12 * 20 // 100))


def set_update_fields_on_open(settings_element: Any) -> None:
    """Ask Word to refresh every field (the table of contents) when the file is opened."""
    el = settings_element.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        settings_element.insert_element_before(el, *_AFTER_UPDATE_FIELDS)
    el.set(qn("w:val"), "true")


def set_column_widths(table: Any, widths_twips: list[int]) -> None:
    """Fix the table layout to these column widths (grid and every cell, as Word writes it)."""
    table.autofit = False
    tblw = table._tbl.tblPr.find(qn("w:tblW"))
    if tblw is not None:
        tblw.set(qn("w:type"), "dxa")
        tblw.set(qn("w:w"), str(sum(widths_twips)))
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_twips, strict=True):
        col.set(qn("w:w"), str(width))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_twips, strict=True):
            tcw = cell._tc.get_or_add_tcPr().get_or_add_tcW()
            tcw.set(qn("w:type"), "dxa")
            tcw.set(qn("w:w"), str(width))
