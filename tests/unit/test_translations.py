"""Every user-facing string has its Chinese translation, and the compiled catalogs match."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "anbao"
CATALOGS = sorted(SRC.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_catalogs_exist():
    assert CATALOGS, "no zh_Hans catalogs found"


@pytest.mark.parametrize("po_path", CATALOGS, ids=lambda p: str(p.relative_to(SRC)))
def test_catalog_is_complete_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po if not e.obsolete and not e.translated()]
    assert untranslated == [], f"untranslated in {po_path}: {untranslated[:10]}"
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} missing: run make messages"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
    source = {(e.msgctxt, e.msgid): e.msgstr for e in po.translated_entries()}
    stale = [k[1] for k, v in source.items() if compiled.get(k) != v]
    assert stale == [], f"{mo_path} is stale for: {stale[:10]} (run make messages)"
