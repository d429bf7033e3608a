"""Client registration by the system administrator: pages and ``anbao oidc client``."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.hashers import check_password
from oidc_helpers import REDIRECT

from anbao.accounts.core import Role
from anbao.audit.models import AuditRecord
from anbao.cli.main import main
from anbao.oidc import services
from anbao.oidc.models import ClientPolicy

pytestmark = pytest.mark.django_db


def actions():
    return list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))


def new_client_form(**extra):
    data = {"name": "精神卫生信息系统", "redirect_uris": f"{REDIRECT}\nhttps://mhis.example/cb"}
    data.update(extra)
    return data


def test_register_shows_the_secret_once_and_stores_its_hash(client_as):
    web = client_as(Role.SYSTEM_ADMIN)
    response = web.post("/oidc/clients/new/", new_client_form(require_certificate="on"))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="secret">([^<]+)</code>', response.content.decode())[1]
    client = services.list_clients()[0]
    assert client.client_secret != secret and check_password(secret, client.client_secret)
    assert client.redirect_uris.split() == [REDIRECT, "https://mhis.example/cb"]
    assert ClientPolicy.objects.get(application=client).require_certificate
    assert secret not in web.get("/oidc/clients/").content.decode()
    record = AuditRecord.objects.get(action="oidc.client_registered")
    assert record.object_id == client.client_id and record.actor == web.user.username
    assert secret not in json.dumps(record.details)


@pytest.mark.parametrize(
    "uris",
    ["http://mhis.example/cb", "ftp://mhis.example/cb", "https://mhis.example/cb#x", ""],
)
def test_bad_redirect_uri_is_a_400_with_one_message(client_as, uris):
    web = client_as(Role.SYSTEM_ADMIN)
    response = web.post("/oidc/clients/new/", new_client_form(redirect_uris=uris))
    assert response.status_code == 400
    assert services.list_clients() == []
    assert "oidc.client_registered" not in actions()


def test_duplicate_name_is_refused(client_as, register):
    register()
    web = client_as(Role.SYSTEM_ADMIN)
    response = web.post("/oidc/clients/new/", new_client_form())
    assert response.status_code == 409
    assert (
        "已注册" in response.content.decode() or "already registered" in response.content.decode()
    )


def test_edit_rotate_disable_enable_remove(client_as, oidc_client):
    web = client_as(Role.SYSTEM_ADMIN)
    cid = oidc_client.client_id
    edit = web.post(
        f"/oidc/clients/{cid}/",
        {"name": "心理健康系统", "redirect_uris": "https://mhis.example/new", "trusted": "on"},
    )
    assert edit.status_code == 302
    info = services.describe(services.get_client(cid))
    assert info["redirect_uris"] == ["https://mhis.example/new"] and info["trusted"]
    rotated = web.post(f"/oidc/clients/{cid}/rotate-secret/")
    new_secret = re.search(r'<code class="secret">([^<]+)</code>', rotated.content.decode())[1]
    assert new_secret != oidc_client.raw_secret
    assert web.post(f"/oidc/clients/{cid}/disable/").status_code == 302
    assert services.describe(services.get_client(cid))["disabled"]
    assert web.post(f"/oidc/clients/{cid}/enable/").status_code == 302
    assert web.post(f"/oidc/clients/{cid}/remove/").status_code == 302
    assert services.list_clients() == []
    assert actions()[-5:] == [
        "oidc.client_updated",
        "oidc.client_secret_rotated",
        "oidc.client_disabled",
        "oidc.client_enabled",
        "oidc.client_removed",
    ]


def test_edit_with_bad_uri_keeps_the_old_ones(client_as, oidc_client):
    web = client_as(Role.SYSTEM_ADMIN)
    cid = oidc_client.client_id
    response = web.post(
        f"/oidc/clients/{cid}/", {"name": "x", "redirect_uris": "http://10.0.0.8/cb"}
    )
    assert response.status_code == 400
    assert services.get_client(cid).redirect_uris == REDIRECT


def test_unknown_client_is_404(client_as):
    web = client_as(Role.SYSTEM_ADMIN)
    assert web.get("/oidc/clients/nope/").status_code == 404
    assert web.post("/oidc/clients/nope/disable/").status_code == 404


def test_public_client_has_no_secret_to_rotate(client_as, register):
    public, secret = register("移动端", public=True)
    assert secret is None
    web = client_as(Role.SYSTEM_ADMIN)
    response = web.post(f"/oidc/clients/{public.client_id}/rotate-secret/", follow=True)
    assert "oidc.client_secret_rotated" not in actions()
    assert response.status_code == 200


def test_security_admin_may_not_register(client_as):
    web = client_as(Role.SECURITY_ADMIN)
    assert web.post("/oidc/clients/new/", new_client_form()).status_code == 403
    assert services.list_clients() == []


# -- the command line ------------------------------------------------------------------


def test_cli_add_list_remove(capsys):
    argv = ["oidc", "client", "add", "精神卫生信息系统", "--redirect-uri", REDIRECT]
    argv += ["--redirect-uri", "https://mhis.example/cb", "--require-certificate", "--json"]
    assert main(argv) == 0
    added = json.loads(capsys.readouterr().out)
    assert (
        added["client_secret"] and added["require_certificate"] and added["type"] == "confidential"
    )
    assert main(["oidc", "client", "add", "App", "--redirect-uri", REDIRECT, "--public"]) == 0
    text = capsys.readouterr().out
    assert "client_id:" in text and "client_secret" not in text
    assert main(["oidc", "client", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [c["name"] for c in listed] == ["App", "精神卫生信息系统"]
    assert all("client_secret" not in c for c in listed)
    assert main(["oidc", "client", "list"]) == 0
    assert added["client_id"] in capsys.readouterr().out
    assert main(["oidc", "client", "remove", added["client_id"]]) == 0
    assert [c.name for c in services.list_clients()] == ["App"]
    record = AuditRecord.objects.filter(action="oidc.client_removed").get()
    assert record.actor == "cli"


@pytest.mark.parametrize(
    "argv",
    [
        ["oidc", "client", "add", "X", "--redirect-uri", "http://mhis.example/cb"],
        ["oidc", "client", "add", "X"],
        ["oidc", "client", "remove", "no-such-client"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("anbao: ") and err.count("\n") == 1
