"""`anbao cert batch`: a whole file or nothing, never twice, CSV and XLSX."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook

from anbao.cli.main import main
from anbao.pki.models import Certificate, EscrowedKey, Holder

pytestmark = pytest.mark.django_db
ROWS = [
    ["name", "email", "unit", "profile", "username", "phone"],
    ["王医生", "wang@example.cn", "精神科", "pc", "wangys", "010-82280017"],
    ["李护士", "li@example.cn", "社区卫生服务中心", "mobile", "", ""],
]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_csv_batch_issues_once(ca, tmp_path, capsys):
    src, out = write_csv(tmp_path / "h.csv", ROWS), tmp_path / "out"
    out.mkdir()
    assert main(["cert", "batch", str(src), "--dual", "--out", str(out)]) == 0
    assert Certificate.objects.count() == 4 and EscrowedKey.objects.count() == 2
    assert len(list(out.glob("*.sign.key.pem"))) == 2
    assert oct((out / "pins.csv").stat().st_mode)[-3:] == "600"
    summary = list(csv.DictReader(open(out / "summary.csv", encoding="utf-8-sig")))
    assert [r["status"] for r in summary] == ["issued", "issued"]
    assert main(["cert", "batch", str(src), "--dual", "--out", str(out)]) == 0
    assert Certificate.objects.count() == 4
    assert "0" in capsys.readouterr().out.splitlines()[-1]


def test_xlsx_batch(ca, tmp_path):
    book = Workbook()
    for row in ROWS:
        book.active.append(row)
    book.save(tmp_path / "h.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["cert", "batch", str(tmp_path / "h.xlsx"), "--out", str(out)]) == 0
    assert Holder.objects.count() == 2 and Certificate.objects.count() == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ROWS + [["赵六", "not-an-email", "", "pc", "", ""]], "row 4, column email"),
        (ROWS + [["王医生", "WANG@example.cn", "", "pc", "", ""]], "row 4, column email"),
        ([["name", "email"], ["a", "b@c.cn"]], "unit"),
    ],
)
def test_bad_file_issues_nothing(ca, tmp_path, capsys, content, message, settings):
    settings.LANGUAGE_CODE = "en"
    src, out = write_csv(tmp_path / "bad.csv", content), tmp_path / "out"
    out.mkdir()
    assert main(["cert", "batch", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not Certificate.objects.exists() and not Holder.objects.exists()
    assert list(out.iterdir()) == []


def test_not_utf8_and_wrong_extension(ca, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "gbk.csv").write_bytes("name,email,unit,profile\n王,w@x.cn,,pc\n".encode("gbk"))
    assert main(["cert", "batch", str(tmp_path / "gbk.csv"), "--out", str(out)]) == 2
    (tmp_path / "h.txt").write_text("x")
    assert main(["cert", "batch", str(tmp_path / "h.txt"), "--out", str(out)]) == 2
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    assert main(["cert", "batch", str(tmp_path / "broken.xlsx"), "--out", str(out)]) == 2
    assert not Certificate.objects.exists()


def test_unwritable_output_rolls_back(ca, tmp_path):
    src = write_csv(tmp_path / "h.csv", ROWS)
    out = tmp_path / "out"
    out.mkdir()
    (out / "pins.csv").mkdir()  # the last file cannot be written: everything is taken back
    assert main(["cert", "batch", str(src), "--out", str(out)]) == 2
    assert not Certificate.objects.exists() and not Holder.objects.exists()
    assert [p.name for p in out.iterdir()] == ["pins.csv"]
