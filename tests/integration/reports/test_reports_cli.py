"""``anbao report render|kinds`` through the real entry point: exit codes, one line, no debris."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.utils import translation
from reports_testlib import sm3_of

from anbao.cli.main import main
from anbao.reports.models import ReportFile

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cli_chinese(monkeypatch):
    monkeypatch.setenv("ANBAO_CLI_LANGUAGE", "zh-hans")
    yield
    translation.deactivate()


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_kinds_lists_the_status_report(capsys):
    code, out, err = run(capsys, "report", "kinds")
    assert code == 0 and err == "" and "status" in out and "项目进度报告" in out
    code, out, _ = run(capsys, "report", "kinds", "--json")
    first = json.loads(out)[0]
    assert code == 0 and (first["key"], first["title"]) == ("status", "项目进度报告")


def test_render_docx_writes_the_file_and_stores_a_version(capsys, engagement, tmp_path):
    out = tmp_path / "status.docx"
    code, stdout, err = run(
        capsys, "report", "render", "status", "--engagement", str(engagement.pk), "--out", str(out)
    )
    assert (code, err) == (0, "")
    report = ReportFile.objects.get()
    assert out.read_bytes()[:2] == b"PK" and sm3_of(out.read_bytes()) == report.sm3
    assert report.document_number in stdout and report.format == "docx"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports", "status.docx"]


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def _assert_refused(capsys, tmp_path, argv, expected, out_dir=None):
    before = _listing(out_dir or tmp_path)
    code, out, err = run(capsys, "report", "render", *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("anbao: ") and expected in err, err
    after = _listing(out_dir or tmp_path)
    assert after == before  # nothing half-written, no temporary file left
    assert not ReportFile.objects.exists()


def test_unknown_kind(capsys, engagement, tmp_path):
    _assert_refused(
        capsys,
        tmp_path,
        ["nonsense", "--engagement", str(engagement.pk), "--out", str(tmp_path / "a.docx")],
        "未知的报告类型 nonsense",
    )


def test_unknown_engagement(capsys, engagement, tmp_path):
    _assert_refused(
        capsys,
        tmp_path,
        ["status", "--engagement", "999999", "--out", str(tmp_path / "a.pdf")],
        "项目 999999 不存在",
    )
    _assert_refused(
        capsys,
        tmp_path,
        ["status", "--engagement", "abc", "--out", str(tmp_path / "a.pdf")],
        "不存在",
    )


def test_bad_extension(capsys, engagement, tmp_path):
    _assert_refused(
        capsys,
        tmp_path,
        ["status", "--engagement", str(engagement.pk), "--out", str(tmp_path / "a.txt")],
        ".docx 或 .pdf",
    )


def test_unwritable_paths(capsys, engagement, tmp_path):
    missing = tmp_path / "missing" / "a.docx"
    _assert_refused(
        capsys,
        tmp_path,
        ["status", "--engagement", str(engagement.pk), "--out", str(missing)],
        "无法写入输出文件",
    )
    a_file = tmp_path / "plain"
    a_file.write_text("x")
    _assert_refused(
        capsys,
        tmp_path,
        ["status", "--engagement", str(engagement.pk), "--out", str(a_file / "a.docx")],
        "无法写入输出文件",
    )
    folder = tmp_path / "folder.docx"
    folder.mkdir()
    _assert_refused(
        capsys,
        tmp_path,
        ["status", "--engagement", str(engagement.pk), "--out", str(folder)],
        "无法写入输出文件",
    )


def test_a_folder_that_refuses_files(capsys, engagement, tmp_path):
    if os.geteuid() == 0:
        # Permission bits do not stop root; /proc/self refuses new files to anyone.
        locked = Path("/proc/self")
        if not locked.is_dir():
            pytest.skip("no /proc on this system")
    else:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
    try:
        _assert_refused(
            capsys,
            tmp_path,
            ["status", "--engagement", str(engagement.pk), "--out", str(locked / "a.docx")],
            "无法写入输出文件",
            out_dir=locked,
        )
    finally:
        if locked.is_relative_to(tmp_path):
            locked.chmod(0o700)


def test_an_existing_output_is_replaced_whole(capsys, engagement, tmp_path):
    out = tmp_path / "status.docx"
    out.write_bytes(b"old")
    code, _, err = run(
        capsys, "report", "render", "status", "--engagement", str(engagement.pk), "--out", str(out)
    )
    assert code == 0, err
    assert Path(out).read_bytes()[:2] == b"PK"
