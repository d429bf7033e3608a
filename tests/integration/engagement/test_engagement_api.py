"""The engagement REST API: CRUD of a new contract, actions, summary, bad input."""

from __future__ import annotations

from decimal import Decimal

import pytest

from anbao.engagement.models import Deliverable, Engagement, PaymentMilestone, WorkLogEntry

pytestmark = pytest.mark.django_db
BASE = "/api/engagements/"


def test_crud_of_a_new_contract(client_as, new_contract):
    client = client_as("engineer")
    created = client.post(BASE, new_contract, content_type="application/json")
    assert created.status_code == 201, created.json()
    body = created.json()
    pk = body["id"]
    assert body["amount"] == "500000.00"
    assert [m["amount"] for m in body["payment_milestones"]] == ["300000.00", "200000.00"]
    assert body["guarantee"]["amount"] == "50000.00"
    assert Deliverable.objects.filter(engagement_id=pk).count() == 13

    listed = client.get(BASE).json()
    assert [e["code"] for e in listed["results"]] == ["TEST-2024-01"]
    assert client.get(f"{BASE}{pk}/").json()["parties"][0]["name"] == "测试医院"

    changed = client.patch(
        f"{BASE}{pk}/",
        {"name": "改名", "amount": "600000", "parties": [{"role": "provider", "name": "新公司"}]},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name"] == "改名"
    assert [m["amount"] for m in changed.json()["payment_milestones"]] == ["360000.00", "240000.00"]
    assert {p["name"] for p in changed.json()["parties"]} == {"测试医院", "新公司"}

    assert client.delete(f"{BASE}{pk}/").status_code == 204
    assert not Engagement.objects.filter(pk=pk).exists()


def test_standard_deliverables_for_a_new_contract(client_as, new_contract):
    new_contract.pop("deliverable_kinds")
    new_contract["service_items"] = []
    new_contract["standard_deliverables"] = True
    created = client_as("engineer").post(BASE, new_contract, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert len(created.json()["deliverable_kinds"]) == 11


@pytest.mark.parametrize(
    "change, field",
    [
        ({"amount": "-1"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"end_date": "2023-06-01"}, "end_date"),
        ({"start_date": "not a date"}, "start_date"),
        ({"code": ""}, "code"),
        ({"parties": [{"role": "judge", "name": "x"}]}, "parties"),
        (
            {"deliverable_kinds": [{"code": "q", "name": "Q", "count": 3, "cadence": "quarterly"}]},
            "count",
        ),
        (
            {"deliverable_kinds": [{"code": "q", "name": "Q", "count": 1, "cadence": "weekly"}]},
            "deliverable_kinds",
        ),
        (
            {"payment_milestones": [{"name": "a", "percentage": "50", "condition": "c"}]},
            "payment_milestones",
        ),
        (
            {
                "payment_milestones": [
                    {"name": "a", "percentage": "100", "amount": "1", "condition": "c"}
                ]
            },
            "amount",
        ),
        ({"guarantee": {"percentage": "10", "amount": "1"}}, "guarantee"),
        (
            {
                "service_items": [
                    {"code": "a b", "name": "x", "category": "service", "quantity": 1, "unit": "次"}
                ]
            },
            "service_items",
        ),
        ({"liabilities": {"late_payment_rate": "2"}}, "late_payment_rate"),
    ],
)
def test_bad_contract_is_refused_and_nothing_written(client_as, new_contract, change, field):
    new_contract.update(change)
    response = client_as("engineer").post(BASE, new_contract, content_type="application/json")
    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert field in error["message"] or field in str(error.get("fields", ""))
    assert not Engagement.objects.exists()


def test_duplicate_code_is_a_conflict(client_as, sample, new_contract):
    new_contract["code"] = "JBS202232"
    response = client_as("engineer").post(BASE, new_contract, content_type="application/json")
    assert response.status_code == 409
    assert Engagement.objects.count() == 1


def test_not_json_and_unknown_ids(client_as, sample):
    client = client_as("engineer")
    assert client.post(BASE, "{", content_type="application/json").status_code == 400
    for url in (
        f"{BASE}999999/",
        f"{BASE}999999/summary/",
        f"{BASE}999999/deliverables/",
        "/api/deliverables/999999/",
        "/api/payments/999999/",
        f"{BASE}999999/guarantee/",
        f"{BASE}999999/work-log/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
    assert (
        client.post(
            "/api/deliverables/999999/submit/", {}, content_type="application/json"
        ).status_code
        == 404
    )


def test_client_officer_cannot_write(client_as, sample, new_contract):
    client = client_as("client_officer")
    assert client.get(BASE).status_code == 200
    assert client.post(BASE, new_contract, content_type="application/json").status_code == 403
    assert (
        client.patch(
            f"{BASE}{sample.pk}/", {"name": "x"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_deliverable_accept_permission(client, sample, engineer, officer):
    d = Deliverable.objects.get(kind__code="risk-analysis-report", sequence=2)
    client.force_login(engineer)
    r = client.post(
        f"/api/deliverables/{d.pk}/submit/", {"note": "第二季度"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert r.json()["submitted_by"] == "engineer1"
    r = client.post(f"/api/deliverables/{d.pk}/accept/", {}, content_type="application/json")
    assert r.status_code == 403
    d.refresh_from_db()
    assert d.status == "submitted"
    client.force_login(officer)
    r = client.post(f"/api/deliverables/{d.pk}/accept/", {}, content_type="application/json")
    assert r.status_code == 200
    assert r.json()["status"] == "accepted" and r.json()["accepted_by"] == "officer1"
    assert r.json()["accepted_at"]
    again = client.post(f"/api/deliverables/{d.pk}/accept/", {}, content_type="application/json")
    assert again.status_code == 409
    listed = client.get(f"{BASE}{sample.pk}/deliverables/", {"status": "accepted"}).json()
    assert [x["id"] for x in listed["results"]] == [d.pk]
    assert client.get(f"{BASE}{sample.pk}/deliverables/", {"status": "bogus"}).status_code == 400


def test_summary_route(client_as, sample):
    client = client_as("client_officer")
    body = client.get(f"{BASE}{sample.pk}/summary/", {"today": "2022-07-14"}).json()
    assert body["today"] == "2022-07-14"
    assert body["required_total"] == 43
    assert body["exposure"]["provider_late_deliverables"] == "6153.00"
    assert body["exposure"]["termination_right"] is True
    assert body["payments"][0]["amount"] == "439500.00"
    assert body["guarantee"]["amount"] == "131850.00"
    assert body["acceptance_window_opens"] == "2023-04-19"
    assert client.get(f"{BASE}{sample.pk}/summary/", {"today": "July"}).status_code == 400


def test_payments_and_guarantee(client_as, sample):
    client = client_as("engineer")
    m = PaymentMilestone.objects.get(engagement=sample, sequence=1)
    assert len(client.get(f"{BASE}{sample.pk}/payments/").json()["results"]) == 3
    bad = client.patch(
        f"/api/payments/{m.pk}/", {"paid_on": "2022-07-01"}, content_type="application/json"
    )
    assert bad.status_code == 400
    ok = client.patch(
        f"/api/payments/{m.pk}/",
        {"condition_met_on": "2022-06-10", "paid_on": "2022-06-30"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["paid_amount"] == "439500.00"
    summary = client.get(f"{BASE}{sample.pk}/summary/", {"today": "2022-07-01"}).json()
    assert summary["payments"][0]["days_late"] == 5
    assert summary["exposure"]["client_late_payments"] == "2197.50"
    r = client.put(
        f"{BASE}{sample.pk}/guarantee/",
        {"percentage": "15", "received_on": "2022-12-07", "return_by": "2023-02-28"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["amount"] == "131850.00"
    r = client.put(
        f"{BASE}{sample.pk}/guarantee/",
        {"percentage": "15", "returned_on": "2022-01-01", "received_on": "2022-12-07"},
        content_type="application/json",
    )
    assert r.status_code == 400


def test_work_log_and_maintenance(client_as, sample):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_as("engineer")
    r = client.post(
        f"{BASE}{sample.pk}/work-log/",
        {"date": "2022-07-01", "title": "巡检"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    r = client.post(
        f"{BASE}{sample.pk}/work-log/",
        {
            "date": "2022-07-02",
            "title": "加固",
            "files": [SimpleUploadedFile("报告.pdf", b"%PDF-1.7\n...")],
        },
    )
    assert r.status_code == 201, r.json()
    assert r.json()["attachments"][0]["original_name"] == "报告.pdf"
    r = client.post(
        f"{BASE}{sample.pk}/work-log/",
        {"date": "2022-07-02", "title": "坏文件", "files": [SimpleUploadedFile("x.pdf", b"MZ")]},
    )
    assert r.status_code == 400
    assert WorkLogEntry.objects.count() == 2
    r = client.post(
        f"{BASE}{sample.pk}/maintenance/", {"date": "2022-07-01"}, content_type="application/json"
    )
    assert r.status_code == 400 and "target" in r.json()["error"]["message"]
    r = client.post(
        f"{BASE}{sample.pk}/maintenance/",
        {
            "date": "2022-07-01",
            "target": "防火墙",
            "work_type": "口令维护",
            "description": "更换管理员口令",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    assert len(client.get(f"{BASE}{sample.pk}/maintenance/").json()["results"]) == 1


def test_add_kind_and_item(client_as, sample):
    client = client_as("engineer")
    r = client.post(
        f"{BASE}{sample.pk}/service-items/",
        {"code": "extra", "name": "额外服务", "category": "service", "quantity": 1, "unit": "次"},
        content_type="application/json",
    )
    assert r.status_code == 201
    r = client.post(
        f"{BASE}{sample.pk}/service-items/",
        {"code": "extra", "name": "重复", "category": "service", "quantity": 1, "unit": "次"},
        content_type="application/json",
    )
    assert r.status_code == 409
    r = client.post(
        f"{BASE}{sample.pk}/deliverable-kinds/",
        {
            "code": "extra-report",
            "name": "额外报告",
            "count": 12,
            "cadence": "monthly",
            "service_item": "extra",
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    r = client.post(
        f"{BASE}{sample.pk}/deliverable-kinds/",
        {
            "code": "other-report",
            "name": "其他",
            "count": 1,
            "cadence": "at_end",
            "service_item": "nope",
        },
        content_type="application/json",
    )
    assert r.status_code == 400
    assert sample.deliverables.count() == 43 + 12
    assert Decimal(client.get(f"{BASE}{sample.pk}/").json()["amount"]) == 879000


def test_patch_bad_input_and_redating(client_as, new_contract):
    client = client_as("engineer")
    pk = client.post(BASE, new_contract, content_type="application/json").json()["id"]
    for bad in (
        {"end_date": "2023-01-01"},
        {"amount": "-5"},
        {"status": "lost"},
        {"liabilities": {"termination_grace_days": -1}},
        {"parties": [{"role": "client", "name": ""}]},
    ):
        response = client.patch(f"{BASE}{pk}/", bad, content_type="application/json")
        assert response.status_code == 400, (bad, response.json())
    e = Engagement.objects.get(pk=pk)
    assert (str(e.end_date), e.amount, e.status) == ("2024-12-31", 500000, "active")
    assert e.parties.get(role="client").name == "测试医院"
    # Six months instead of twelve: the monthly kind shrinks to six, dates move.
    r = client.patch(f"{BASE}{pk}/", {"end_date": "2024-06-30"}, content_type="application/json")
    assert r.status_code == 200, r.json()
    kinds = {k["code"]: k["required_count"] for k in r.json()["deliverable_kinds"]}
    assert kinds == {"inspection-report": 6, "final-acceptance-report": 1}
    final = Deliverable.objects.get(engagement_id=pk, kind__code="final-acceptance-report")
    assert str(final.due_date) == "2024-06-30"  # the new last day


def test_delete_refused_once_work_is_recorded(client_as, sample):
    client = client_as("engineer")
    client.post(
        f"{BASE}{sample.pk}/work-log/",
        {"date": "2022-07-01", "title": "巡检"},
        content_type="application/json",
    )
    response = client.delete(f"{BASE}{sample.pk}/")
    assert response.status_code == 409
    assert Engagement.objects.filter(pk=sample.pk).exists()


def test_edit_item_and_remove_kind(client_as, sample):
    client = client_as("engineer")
    item = sample.service_items.get(code="certificates")
    r = client.patch(
        f"/api/service-items/{item.pk}/", {"quantity": 900}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["quantity"] == 900
    r = client.patch(
        f"/api/service-items/{item.pk}/", {"quantity": 0}, content_type="application/json"
    )
    assert r.status_code == 400
    r = client.patch(
        f"/api/service-items/{item.pk}/", {"code": "dm-licences"}, content_type="application/json"
    )
    assert r.status_code == 409
    item.refresh_from_db()
    assert (item.quantity, item.code) == (900, "certificates")
    kind = sample.deliverable_kinds.get(code="final-acceptance-report")
    assert client.get(f"/api/deliverable-kinds/{kind.pk}/").json()["required_count"] == 1
    assert client.delete(f"/api/deliverable-kinds/{kind.pk}/").status_code == 204
    assert sample.deliverables.count() == 42
    assert client.delete("/api/deliverable-kinds/999999/").status_code == 404


def test_guarantee_amount_follows_its_share(client_as, sample):
    client = client_as("engineer")
    url = f"{BASE}{sample.pk}/guarantee/"
    r = client.put(url, {"percentage": "15", "amount": "140000"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["amount"] == "140000.00"
    r = client.put(url, {"percentage": "15", "issuer": "华夏银行"}, content_type="application/json")
    assert r.json()["amount"] == "140000.00"  # same share: the agreed amount stays
    r = client.put(url, {"percentage": "20"}, content_type="application/json")
    assert r.json()["amount"] == "175800.00"
    r = client.put(url, {"percentage": "15", "amount": "100"}, content_type="application/json")
    assert r.status_code == 400  # below 15 % of the contract
    r = client.put(
        url, {"percentage": "20", "received_on": "2099-01-01"}, content_type="application/json"
    )
    assert r.status_code == 400


def test_actions_recorded_after_the_fact(client, sample, engineer, officer):
    d = Deliverable.objects.get(kind__code="pentest-report", sequence=1)
    client.force_login(engineer)
    url = f"/api/deliverables/{d.pk}/submit/"
    future = client.post(url, {"at": "2099-01-01T10:00:00+08:00"}, content_type="application/json")
    assert future.status_code == 400
    r = client.post(url, {"at": "2022-09-20T10:00:00+08:00"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["submitted_at"].startswith("2022-09-20")
    summary = client.get(f"{BASE}{sample.pk}/summary/", {"today": "2022-09-30"}).json()
    assert summary["exposure"]["late_days"] >= 6
