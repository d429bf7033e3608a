"""``anbao enrol invite`` and ``anbao enrol list``."""

from __future__ import annotations

import json

import pytest

from anbao.cli.main import main
from anbao.enrolment import core
from anbao.enrolment.models import Invitation

pytestmark = pytest.mark.django_db


def test_invite_prints_the_link_once_and_stores_the_hash(ca, capsys):
    argv = [
        "enrol",
        "invite",
        "--name",
        "赵医生",
        "--email",
        "zhao@hospital.example",
        "--unit",
        "放射科",
        "--user",
        "zhao",
        "--profile",
        "mobile",
        "--dual",
        "--hours",
        "8",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    invitation = Invitation.objects.get()
    assert invitation.code_hash == core.code_hash(out["code"])
    assert out["url"].endswith(f"/enrol/{out['code']}/")
    assert (invitation.profile, invitation.dual, invitation.username) == ("mobile", True, "zhao")
    assert (invitation.expires_at - invitation.created_at).total_seconds() == pytest.approx(
        8 * 3600, abs=5
    )


def test_invite_plain_output_and_list(ca, capsys):
    assert main(["enrol", "invite", "--name", "钱", "--email", "qian@hospital.example"]) == 0
    out = capsys.readouterr().out
    assert "/enrol/" in out
    assert main(["enrol", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["state"] == "open" and rows[0]["profile"] == "pc" and "code" not in rows[0]
    assert main(["enrol", "list"]) == 0
    assert "qian@hospital.example" in capsys.readouterr().out


@pytest.mark.parametrize(
    "extra",
    [
        ["--email", "not-an-address"],
        ["--email", "a@hospital.example", "--hours", "0"],
        ["--email", "a@hospital.example", "--profile", "tablet"],
        [],
    ],
)
def test_invite_errors_exit_2_with_one_line(ca, capsys, extra):
    assert main(["enrol", "invite", "--name", "孙", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("anbao: ") and err.count("\n") == 1
    assert not Invitation.objects.exists()


def test_invite_without_a_ca_exits_2(db, capsys):
    assert main(["enrol", "invite", "--name", "周", "--email", "zhou@hospital.example"]) == 2
    assert "anbao ca init" in capsys.readouterr().err


def test_withdraw(ca, capsys):
    assert main(["enrol", "invite", "--name", "吴", "--email", "wu@hospital.example"]) == 0
    invitation = Invitation.objects.get()
    assert main(["enrol", "withdraw", str(invitation.pk)]) == 0
    capsys.readouterr()
    assert main(["enrol", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["state"] == "withdrawn"
    assert main(["enrol", "withdraw", str(invitation.pk)]) == 2
    assert main(["enrol", "withdraw", "424242"]) == 2
