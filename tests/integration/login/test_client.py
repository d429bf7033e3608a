"""The Python client class and `anbao client login` against a running server."""

from __future__ import annotations

import pytest

from anbao.cli.main import main
from anbao.client import AnbaoClient, ClientError, LoginRefused
from anbao.sm import SM2PrivateKey, private_key_to_pem
from login_helpers import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_client_class_signs_in_and_calls_the_api(live_server, holder):
    _, key, _ = holder
    client = AnbaoClient(live_server.url)
    done = client.login("zhangsan", PASSWORD, key=key)
    assert done["amr"] == ["pwd", "x509", "mfa"] and client.token
    assert client.get("/api/me/")["username"] == "zhangsan"


def test_client_class_reports_refusals(live_server, holder):
    client = AnbaoClient(live_server.url)
    with pytest.raises(LoginRefused) as info:
        client.login("zhangsan", "Wrong-Pass-1", key=SM2PrivateKey.generate())
    assert info.value.status == 401 and info.value.remaining_attempts == 4
    assert "还可尝试 4 次" in info.value.message
    with pytest.raises(ValueError):
        AnbaoClient("ftp://example")
    with pytest.raises(ClientError):
        AnbaoClient("http://127.0.0.1:9").login("x", "y")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_login(live_server, holder, tmp_path, capsys):
    _, key, result = holder
    key_file = tmp_path / "k.pem"
    key_file.write_bytes(private_key_to_pem(key, b"654321"))
    pin = write(tmp_path / "pin", "654321\n")
    pw = write(tmp_path / "pw", PASSWORD + "\n")
    args = [
        "client",
        "login",
        "--server",
        live_server.url,
        "--user",
        "zhangsan",
        "--key",
        str(key_file),
        "--passphrase-file",
        pin,
        "--password-file",
        pw,
    ]
    assert main(args) == 0
    assert "zhangsan" in capsys.readouterr().out
    bad = write(tmp_path / "bad", "Wrong-Pass-1\n")
    assert main([*args[:-1], bad]) == 1
    assert "还可尝试" in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [
        ["--server", "not a url"],
        ["--key", "/nonexistent.pem"],
        ["--passphrase-file", "/nonexistent"],
    ],
)
def test_cli_bad_input_is_exit_2(live_server, holder, tmp_path, capsys, extra):
    _, key, _ = holder
    key_file = tmp_path / "k.pem"
    key_file.write_bytes(private_key_to_pem(key, b"654321"))
    args = {
        "--server": live_server.url,
        "--user": "zhangsan",
        "--key": str(key_file),
        "--passphrase-file": write(tmp_path / "pin", "654321\n"),
        "--password-file": write(tmp_path / "pw", PASSWORD + "\n"),
    }
    args[extra[0]] = extra[1]
    argv = ["client", "login"] + [x for pair in args.items() for x in pair]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
