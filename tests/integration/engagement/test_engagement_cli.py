"""``anbao engagement``: list, load-sample, status."""

from __future__ import annotations

import json

import pytest

from anbao.cli.main import main

pytestmark = pytest.mark.django_db


def test_load_sample_twice_then_status(capsys):
    assert main(["engagement", "load-sample"]) == 0
    assert main(["engagement", "load-sample"]) == 0
    assert main(["engagement", "list", "--json"]) == 0
    out = capsys.readouterr().out
    listed = json.loads(out[out.index("[") :])
    assert [e["code"] for e in listed] == ["JBS202232"]
    assert main(["engagement", "status", "JBS202232", "--today", "2022-12-20", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["required_total"] == 43
    assert summary["payments"][1]["amount"] == "175800.00"
    assert main(["engagement", "status", "--today", "2022-07-14"]) == 0
    assert "6153.00" in capsys.readouterr().out


def test_status_bad_input(capsys, sample):
    assert main(["engagement", "status", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err
    assert main(["engagement", "status", "--today", "someday"]) == 2
