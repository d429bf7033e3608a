"""The report pages and the REST API, as the roles that may and may not use them."""

from __future__ import annotations

import pytest
from django.urls import reverse
from reports_testlib import sm3_of

from anbao.accounts.core import Role
from anbao.audit.models import AuditRecord
from anbao.reports.models import ReportFile

pytestmark = pytest.mark.django_db


# ---- REST API ---------------------------------------------------------------------------------


def test_api_render_list_show_download(client_as, engagement):
    client = client_as(Role.ENGINEER)
    created = client.post(
        "/api/reports/",
        {"kind": "status", "engagement": engagement.pk, "format": "docx"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == 1 and body["format"] == "docx" and len(body["sm3"]) == 64
    assert body["created_by"] == client.user.username

    listing = client.get("/api/reports/").json()
    assert [r["id"] for r in listing["results"]] == [body["id"]]
    assert client.get("/api/reports/?kind=other").json()["results"] == []
    assert (
        client.get(f"/api/reports/{body['id']}/").json()["document_number"]
        == (body["document_number"])
    )

    download = client.get(f"/api/reports/{body['id']}/download/")
    assert download.status_code == 200
    data = b"".join(download.streaming_content) if download.streaming else download.content
    assert sm3_of(data) == body["sm3"] and download["X-Content-SM3"] == body["sm3"]
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "payload,status,code",
    [
        ({"kind": "nonsense", "format": "docx"}, 404, "unknown_report_kind"),
        ({"kind": "status", "format": "txt"}, 400, "invalid"),
        ({"kind": "status"}, 201, None),  # the format defaults to PDF: not posted here, see below
        ({"format": "docx"}, 400, "invalid"),
    ],
)
def test_api_bad_input(client_as, engagement, payload, status, code, monkeypatch):
    from anbao.reports import services

    if status == 201:
        # Keep LibreOffice out of this test: only the chosen format matters.
        monkeypatch.setattr(services, "renderer_for", lambda fmt: _FakeRenderer(fmt))
    client = client_as(Role.ENGINEER)
    response = client.post(
        "/api/reports/", {"engagement": engagement.pk, **payload}, content_type="application/json"
    )
    assert response.status_code == status, response.content
    if code:
        assert response.json()["error"]["code"] == code
    else:
        assert response.json()["format"] == "pdf"


class _FakeRenderer:
    def __init__(self, fmt):
        self.format = fmt

    def render(self, document):
        return b"%PDF-1.7 fake"


def test_api_unknown_engagement_and_report(client_as):
    client = client_as(Role.ENGINEER)
    response = client.post(
        "/api/reports/",
        {"kind": "status", "engagement": 999999, "format": "docx"},
        content_type="application/json",
    )
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_engagement"
    assert client.get("/api/reports/999999/").status_code == 404
    assert client.get("/api/reports/999999/download/").status_code == 404


def test_api_tampered_download_is_refused(client_as, engagement, reports_dir):
    client = client_as(Role.ENGINEER)
    body = client.post(
        "/api/reports/",
        {"kind": "status", "engagement": engagement.pk, "format": "docx"},
        content_type="application/json",
    ).json()
    path = reports_dir / ReportFile.objects.get(pk=body["id"]).path
    path.write_bytes(path.read_bytes() + b"\0")
    response = client.get(f"/api/reports/{body['id']}/download/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "report_tampered"
    assert AuditRecord.objects.filter(action="report.tampered").exists()


def test_client_officer_may_read_but_not_render(client_as, engagement):
    client = client_as(Role.CLIENT_OFFICER)
    assert client.get("/api/reports/").status_code == 200
    response = client.post(
        "/api/reports/",
        {"kind": "status", "engagement": engagement.pk, "format": "docx"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not ReportFile.objects.exists()


# ---- pages ------------------------------------------------------------------------------------


def test_pages_render_list_and_download(client_as, engagement):
    client = client_as(Role.ENGINEER)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200 and "项目进度报告" in page.content.decode()
    response = client.post(
        reverse("reports:render"), {"kind": "status", "engagement": engagement.pk, "format": "docx"}
    )
    assert response.status_code == 302
    report = ReportFile.objects.get()
    page = client.get(reverse("reports:list")).content.decode()
    assert report.document_number in page and report.sm3[:8] in page
    download = client.get(reverse("reports:download", args=[report.pk]))
    assert download.status_code == 200 and sm3_of(download.content) == report.sm3


def test_page_form_errors_become_messages(client_as, engagement):
    client = client_as(Role.ENGINEER)
    response = client.post(
        reverse("reports:render"),
        {"kind": "nonsense", "engagement": engagement.pk, "format": "docx"},
        follow=True,
    )
    assert response.status_code == 200 and "报告未生成" in response.content.decode()
    assert not ReportFile.objects.exists()


def test_client_officer_sees_no_render_form_and_may_not_post(client_as, engagement):
    client = client_as(Role.CLIENT_OFFICER)
    page = client.get(reverse("reports:list")).content.decode()
    assert reverse("reports:render") not in page
    response = client.post(
        reverse("reports:render"), {"kind": "status", "engagement": engagement.pk, "format": "docx"}
    )
    assert response.status_code == 403
