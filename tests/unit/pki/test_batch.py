"""Validating a holders file (pure)."""

import pytest

from anbao.pki.core.batch import BatchInvalid, validate

HEADER = ["name", "email", "unit", "profile", "username", "phone"]


def test_good_rows_with_blank_lines_and_default_profile():
    rows = validate(
        ["Name", "Email", "Unit"],
        [["王医生", "w@example.cn", "精神科"], [], ["李护士", "l@example.cn", ""]],
        default_profile="mobile",
    )
    assert [(r.line, r.name, r.profile) for r in rows] == [
        (2, "王医生", "mobile"),
        (4, "李护士", "mobile"),
    ]


def test_every_problem_is_named_by_row_and_column():
    with pytest.raises(BatchInvalid) as info:
        validate(
            HEADER,
            [
                ["", "bad", "x" * 65, "tablet", "no spaces", "abc"],
                ["张三", "z@example.cn", "", "pc", "zs", ""],
                ["张三二", "Z@example.cn", "", "pc", "zs", ""],
            ],
        )
    found = {(e.line, e.column, e.code) for e in info.value.errors}
    assert found == {
        (2, "name", "length"),
        (2, "email", "email"),
        (2, "unit", "length"),
        (2, "profile", "profile"),
        (2, "username", "username"),
        (2, "phone", "phone"),
        (4, "email", "duplicate"),
        (4, "username", "duplicate"),
    }


def test_header_problems():
    with pytest.raises(BatchInvalid) as info:
        validate(["name", "mail", "unit"], [["a", "b", "c"]])
    assert {(e.column, e.code) for e in info.value.errors} == {
        ("email", "missing_column"),
        ("profile", "missing_column"),
        ("mail", "unknown_column"),
    }


def test_empty_file():
    with pytest.raises(BatchInvalid) as info:
        validate(HEADER, [[], ["", "", ""]])
    assert info.value.errors[0].code == "empty"
