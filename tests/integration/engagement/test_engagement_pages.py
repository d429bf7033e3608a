"""The engagement pages: dashboard, forms with bad input, deliverable actions, attachments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from anbao.audit.models import AuditRecord
from anbao.engagement.models import (
    Attachment,
    Deliverable,
    Engagement,
    PaymentMilestone,
    WorkLogEntry,
)

pytestmark = pytest.mark.django_db


def test_home_sends_the_client_officer_to_the_dashboard(client_as, sample):
    client = client_as("client_officer")
    response = client.get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement:dashboard")


def test_dashboard_shows_the_sample_contract_figures(client_as, sample):
    client = client_as("client_officer")
    page = client.get(reverse("engagement:dashboard")).content.decode()
    for text in (
        "JBS202232",
        "879000.00",
        "439500.00",
        "175800.00",
        "263700.00",
        "131850.00",
        "87900.00",
        "100000.00",
        "脆弱性识别及检查报告",
        "安全巡检报告",
    ):
        assert text in page, text
    assert "/ 43" in page


def test_dashboard_selects_among_several(client_as, sample, new_contract):
    from anbao.engagement.services import create_engagement

    other = create_engagement(new_contract)
    client = client_as("client_officer")
    page = client.get(reverse("engagement:dashboard")).content.decode()
    assert "TEST-2024-01" in page and 'name="id"' in page  # the newest is shown
    page = client.get(reverse("engagement:dashboard"), {"id": sample.pk}).content.decode()
    assert "北京市精神卫生保健所精神卫生信息系统" in page
    assert other.pk != sample.pk


def test_dashboard_without_engagements(client_as, db):
    page = client_as("engineer").get(reverse("engagement:dashboard"))
    assert page.status_code == 200


def test_pages_open(client_as, sample):
    client = client_as("engineer")
    d = Deliverable.objects.first()
    m = PaymentMilestone.objects.first()
    for url in (
        reverse("engagement:list"),
        reverse("engagement:detail", args=[sample.pk]),
        reverse("engagement:edit", args=[sample.pk]),
        reverse("engagement:create"),
        reverse("engagement:deliverable", args=[d.pk]),
        reverse("engagement:milestone", args=[m.pk]),
        reverse("engagement:guarantee", args=[sample.pk]),
        reverse("engagement:work_log", args=[sample.pk]),
        reverse("engagement:work_log_add", args=[sample.pk]),
        reverse("engagement:maintenance", args=[sample.pk]),
        reverse("engagement:maintenance_add", args=[sample.pk]),
        reverse("engagement:kind_create", args=[sample.pk]),
        reverse("engagement:item_create", args=[sample.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_holder_cannot_see_engagements(client_as, sample):
    assert client_as("holder").get(reverse("engagement:dashboard")).status_code == 403


def _create_form(**over):
    data = {
        "code": "WEB-1",
        "name": "网页新建合同",
        "status": "active",
        "amount": "100000",
        "start_date": "2024-01-01",
        "end_date": "2024-12-31",
        "late_payment_rate": "0.001",
        "late_guarantee_rate": "0.001",
        "late_deliverable_rate": "0.001",
        "termination_grace_days": "5",
        "termination_penalty_rate": "0.10",
        "confidentiality_penalty": "100000",
        "client_name": "甲方医院",
        "provider_name": "乙方公司",
        "guarantee_percentage": "15",
        "guarantee_return_by": "2024-10-01",
        "m1_name": "首付款",
        "m1_percentage": "70",
        "m1_condition": "签约后",
        "m1_days_after_condition": "15",
        "m2_name": "尾款",
        "m2_percentage": "30",
        "m2_condition": "验收后",
        "standard_deliverables": "on",
    }
    data.update(over)
    return data


def test_create_a_new_contract_through_the_form(client_as, db):
    client = client_as("engineer")
    response = client.post(reverse("engagement:create"), _create_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    e = Engagement.objects.get(code="WEB-1")
    assert e.deliverables.count() == 43
    assert list(e.payment_milestones.values_list("amount", flat=True)) == [70000, 30000]
    assert e.guarantee.amount == 15000


@pytest.mark.parametrize(
    "over, message",
    [
        ({"end_date": "2023-12-31"}, "end_date"),
        ({"m2_percentage": "20"}, "100"),
        ({"amount": "abc"}, ""),
        ({"client_name": ""}, ""),
        ({"start_date": "2024-02-30"}, ""),
        ({"code": "x" * 65, "standard_deliverables": ""}, ""),
        ({"guarantee_percentage": "101"}, ""),
    ],
)
def test_bad_create_form_writes_nothing(client_as, db, over, message):
    client = client_as("engineer")
    response = client.post(reverse("engagement:create"), _create_form(**over))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Engagement.objects.exists()


def test_duplicate_registration_number_is_refused(client_as, sample):
    client = client_as("engineer")
    response = client.post(reverse("engagement:create"), _create_form(code="JBS202232"))
    assert response.status_code == 400
    assert "JBS202232" in response.content.decode()
    assert Engagement.objects.count() == 1


def test_edit_form_changes_and_rejects(client_as, sample):
    client = client_as("engineer")
    url = reverse("engagement:edit", args=[sample.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["name"] = "新名称"
    assert client.post(url, data).status_code == 302
    sample.refresh_from_db()
    assert sample.name == "新名称"
    data["termination_penalty_rate"] = "7"
    assert client.post(url, data).status_code == 400
    sample.refresh_from_db()
    assert sample.termination_penalty_rate == Decimal("0.10")


def test_engineer_submits_officer_accepts(client, sample, engineer, officer):
    d = Deliverable.objects.get(kind__code="pentest-report", sequence=1)
    client.force_login(engineer)
    assert (
        client.post(
            reverse("engagement:deliverable_work", args=[d.pk]), {"action": "submit"}
        ).status_code
        == 302
    )
    # The engineer may not accept: the review route refuses the role.
    assert (
        client.post(
            reverse("engagement:deliverable_review", args=[d.pk]), {"action": "accept"}
        ).status_code
        == 403
    )
    d.refresh_from_db()
    assert d.status == "submitted" and d.submitted_by == engineer
    client.force_login(officer)
    assert (
        client.post(
            reverse("engagement:deliverable_work", args=[d.pk]), {"action": "submit"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("engagement:deliverable_review", args=[d.pk]), {"action": "accept"}
        ).status_code
        == 302
    )
    d.refresh_from_db()
    assert d.status == "accepted" and d.accepted_by == officer and d.accepted_at
    assert AuditRecord.objects.filter(action="deliverable.accept", actor="officer1").exists()


def test_accepting_a_planned_deliverable_is_refused(client, sample, officer):
    d = Deliverable.objects.first()
    client.force_login(officer)
    response = client.post(
        reverse("engagement:deliverable_review", args=[d.pk]), {"action": "accept"}
    )
    assert response.status_code == 409
    assert "计划中" in response.content.decode()  # the refusal names the state
    d.refresh_from_db()
    assert d.status == "planned"
    unknown = client.post(
        reverse("engagement:deliverable_review", args=[d.pk]), {"action": "submit"}
    )
    assert unknown.status_code == 400
    d.refresh_from_db()
    assert d.status == "planned"


def test_deliverable_actions_need_post(client_as, sample):
    d = Deliverable.objects.first()
    client = client_as("engineer")
    assert client.get(reverse("engagement:deliverable_work", args=[d.pk])).status_code == 405


def test_work_log_with_attachment_and_download(client_as, sample, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("engineer")
    upload = SimpleUploadedFile(
        "../../etc/巡检记录.txt", "CPU 使用率 12%\n".encode(), content_type="text/plain"
    )
    response = client.post(
        reverse("engagement:work_log_add", args=[sample.pk]),
        {"date": "2023-01-05", "title": "月度巡检", "files": [upload]},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "巡检记录.txt"
    assert "etc" not in attachment.file.name and attachment.file.name.endswith(".txt")
    download = client.get(reverse("engagement:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == "CPU 使用率 12%\n".encode()
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "name, content",
    [
        ("evil.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"<html>not a pdf</html>"),
        ("empty.txt", b""),
        ("binary.txt", b"\x00\x01\x02"),
    ],
)
def test_bad_attachment_writes_nothing(client_as, sample, name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("engineer")
    response = client.post(
        reverse("engagement:maintenance_add", args=[sample.pk]),
        {
            "date": "2023-01-05",
            "target": "核心交换机",
            "work_type": "配置备份",
            "description": "备份配置",
            "files": [SimpleUploadedFile(name, content)],
        },
    )
    assert response.status_code == 400
    assert not Attachment.objects.exists()
    assert not sample.maintenance_records.exists()


def test_bad_work_log_and_payment_forms(client_as, sample):
    client = client_as("engineer")
    url = reverse("engagement:work_log_add", args=[sample.pk])
    assert client.post(url, {"date": "2099-01-01", "title": "未来"}).status_code == 400
    assert client.post(url, {"date": "2023-01-01", "title": ""}).status_code == 400
    assert not WorkLogEntry.objects.exists()
    m = PaymentMilestone.objects.get(engagement=sample, sequence=1)
    url = reverse("engagement:milestone", args=[m.pk])
    assert client.post(url, {"paid_on": "2022-07-01"}).status_code == 400  # condition unmet
    assert (
        client.post(
            url, {"condition_met_on": "2022-06-10", "paid_on": "2022-07-01", "paid_amount": "1"}
        ).status_code
        == 400
    )
    m.refresh_from_db()
    assert m.paid_on is None and m.condition_met_on is None
    assert (
        client.post(url, {"condition_met_on": "2022-06-10", "paid_on": "2022-06-20"}).status_code
        == 302
    )
    m.refresh_from_db()
    assert m.paid_amount == m.amount


def test_bad_guarantee_and_kind_forms(client_as, sample):
    client = client_as("engineer")
    url = reverse("engagement:guarantee", args=[sample.pk])
    assert client.post(url, {"percentage": "15", "returned_on": "2023-01-01"}).status_code == 400
    url = reverse("engagement:kind_create", args=[sample.pk])
    assert (
        client.post(
            url, {"code": "x-report", "name": "X", "count": "3", "cadence": "quarterly"}
        ).status_code
        == 400
    )
    assert (
        client.post(
            url, {"code": "x-report", "name": "X", "count": "4", "cadence": "quarterly"}
        ).status_code
        == 302
    )
    assert sample.deliverables.filter(kind__code="x-report").count() == 4


def test_files_are_removed_when_the_entry_is_not_saved(sample, engineer, monkeypatch, media_root):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from anbao.engagement.services import records

    def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(records, "record", broken)
    with pytest.raises(RuntimeError):
        records.add_work_log_entry(
            sample,
            {"date": "2023-01-05", "title": "t"},
            files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")],
            actor=engineer,
        )
    assert not Attachment.objects.exists()
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_dashboard_as_of_a_day(client_as, sample):
    client = client_as("client_officer")
    page = client.get(reverse("engagement:dashboard"), {"today": "2022-07-14"}).content.decode()
    assert "2022-07-14" in page and "6153.00" in page
    bad = client.get(reverse("engagement:dashboard"), {"today": "2022-13-01"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.content.decode()


def test_kind_in_work_cannot_be_removed(client_as, sample, engineer):
    from anbao.engagement.services import transition

    d = Deliverable.objects.get(kind__code="hardening-report", sequence=1)
    transition(d, "start", actor=engineer)
    client = client_as("engineer")
    response = client.post(reverse("engagement:kind_delete", args=[d.kind_id]))
    assert response.status_code == 409
    assert Deliverable.objects.filter(kind_id=d.kind_id).count() == 4


def test_bad_service_item_and_attachment_forms(client_as, sample):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("engineer")
    url = reverse("engagement:item_create", args=[sample.pk])
    base = {"code": "extra", "name": "额外", "category": "service", "quantity": "1", "unit": "次"}
    assert client.post(url, {**base, "quantity": "0"}).status_code == 400
    assert client.post(url, {**base, "code": "certificates"}).status_code == 400  # duplicate
    assert sample.service_items.count() == 13
    entry = client.post(
        reverse("engagement:work_log_add", args=[sample.pk]),
        {"date": "2023-01-05", "title": "巡检"},
    )
    assert entry.status_code == 302
    pk = WorkLogEntry.objects.get().pk
    url = reverse("engagement:attachment_add", args=["work-log", pk])
    assert client.post(url, {}).status_code == 400
    bad = client.post(url, {"files": [SimpleUploadedFile("a.png", b"not png")]})
    assert bad.status_code == 400
    assert not Attachment.objects.exists()
    good = client.post(url, {"files": [SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nxx")]})
    assert good.status_code == 302
    assert client.get(reverse("engagement:attachment_add", args=["nothing", pk])).status_code == 404


def test_recording_a_past_submission_and_acceptance(client, sample, engineer, officer):
    from anbao.engagement.services import status_summary

    d = Deliverable.objects.get(kind__code="inspection-report", sequence=1)
    client.force_login(engineer)
    url = reverse("engagement:deliverable_work", args=[d.pk])
    assert client.post(url, {"action": "submit", "on": "2099-01-01"}).status_code == 400
    assert client.post(url, {"action": "submit", "on": "7 July"}).status_code == 400
    assert client.post(url, {"action": "submit", "on": "2022-07-09"}).status_code == 302
    client.force_login(officer)
    url = reverse("engagement:deliverable_review", args=[d.pk])
    assert client.post(url, {"action": "accept", "on": "2022-07-01"}).status_code == 400
    assert client.post(url, {"action": "accept", "on": "2022-07-11"}).status_code == 302
    s = status_summary(sample, date(2022, 7, 31))
    assert s.exposure.late_days == 2 and s.accepted_total == 1
