"""The CA's jobs: batch upload through a job, the expiry notice, the scheduled CRL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from anbao.audit.models import AuditRecord
from anbao.jobs import services as jobs
from anbao.jobs.models import Job
from anbao.notifications.models import Notification
from anbao.pki.models import Certificate, Holder, RevocationList
from anbao.pki.services import issuance
from anbao.sm import load_private_key

pytestmark = pytest.mark.django_db
ROWS = [
    ["name", "email", "unit", "profile", "username", "phone"],
    ["王医生", "wang@example.cn", "精神科", "pc", "wangys", "010-82280017"],
    ["李护士", "li@example.cn", "社区卫生服务中心", "mobile", "", ""],
]


@pytest.fixture
def eager(settings):
    """Run submitted jobs at once in the test's thread and transaction."""
    settings.ANBAO_JOB_BACKEND = "eager"
    return settings


@pytest.fixture
def admin(ca, client_as):
    return client_as("security_admin")


def csv_file(rows, name="holders.csv"):
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, ("\ufeff" + text.getvalue()).encode())


def xlsx_file(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("holders.xlsx", data.getvalue())


def upload(admin, file, **extra):
    return admin.post("/pki/admin/batches/", {"file": file, **extra})


@pytest.mark.parametrize("make", [csv_file, xlsx_file])
def test_batch_upload_runs_as_a_job_and_the_zip_is_taken_once(admin, eager, make):
    response = upload(admin, make(ROWS), dual="on")
    assert response.status_code == 302
    batch_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    job = Job.objects.get(kind="pki.batch")
    assert job.state == "succeeded" and job.params == {"batch": batch_id}
    assert job.result["issued"] == 2 and "pin" not in str(job.result).lower()
    assert Certificate.objects.count() == 4
    page = admin.get(f"/pki/admin/batches/{batch_id}/")
    assert page.status_code == 200 and f"/jobs/{job.id}/".encode() in page.content
    assert b"/download/" in page.content
    assert admin.get(f"/pki/admin/batches/{batch_id}/download/").status_code == 405
    result = admin.post(f"/pki/admin/batches/{batch_id}/download/")
    assert result.status_code == 200 and result["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(result.content))
    names = set(archive.namelist())
    assert {"summary.csv", "pins.csv"} <= names
    pins = list(csv.DictReader(io.StringIO(archive.read("pins.csv").decode())))
    assert len(pins) == 2
    first = pins[0]
    key = load_private_key(
        archive.read(f"{first['signing_serial']}.sign.key.pem"), first["pin"].encode()
    )
    cert = Certificate.objects.get(serial=first["signing_serial"])
    assert key.public_key().to_spki_der() in bytes(cert.der)
    assert f"{first['signing_serial']}.enc.env" in names
    assert admin.post(f"/pki/admin/batches/{batch_id}/download/").status_code == 404
    assert admin.get("/pki/admin/batches/").context["batches"][0]["state"] == "taken"
    takes = AuditRecord.objects.filter(action="pickup.take", object_id=batch_id)
    assert sorted(takes.values_list("outcome", flat=True)) == ["failure", "success"]
    assert AuditRecord.objects.filter(action="cert.batch", outcome="success").exists()


def test_batch_again_skips_holders_served_already(admin, eager):
    upload(admin, csv_file(ROWS))
    upload(admin, csv_file(ROWS))
    last = Job.objects.filter(kind="pki.batch").order_by("-created_at").first()
    assert last.result == {**last.result, "issued": 0, "skipped": 2}
    assert Certificate.objects.count() == 2


@pytest.mark.parametrize(
    ("rows", "where"),
    [
        ([ROWS[0], ["王医生", "bad-address", "精神科", "pc", "", ""]], "row 2, column email"),
        ([ROWS[0], ROWS[1], ROWS[1]], "row 3, column email"),
        ([["name", "email"], ["王医生", "w@example.cn"]], "column unit"),
        ([ROWS[0], ["王医生", "w@example.cn", "x", "tablet", "", ""]], "column profile"),
        ([ROWS[0]], "column -"),
    ],
)
def test_batch_upload_is_checked_whole_before_the_job(admin, eager, rows, where, settings):
    settings.LANGUAGE_CODE = "en"
    response = upload(admin, csv_file(rows), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert where in response.content.decode()
    assert not Job.objects.filter(kind="pki.batch").exists()
    assert Certificate.objects.count() == 0 and Holder.objects.count() == 0


def test_batch_upload_refuses_other_files_and_a_conflicting_holder(admin, eager):
    assert upload(admin, SimpleUploadedFile("h.txt", b"name,email")).status_code == 400
    assert upload(admin, SimpleUploadedFile("h.xlsx", b"not a workbook")).status_code == 400
    assert upload(admin, SimpleUploadedFile("h.csv", "名".encode("gbk"))).status_code == 400
    assert admin.post("/pki/admin/batches/", {}).status_code == 400
    issuance.issue(issuance.HolderInput(name="别人", email="wang@example.cn"), generate_key=True)
    assert upload(admin, csv_file(ROWS)).status_code == 400
    assert not Job.objects.filter(kind="pki.batch").exists()


def test_batch_needs_a_ca(db, settings, tmp_path, client_as, eager):
    settings.DATA_DIR = tmp_path
    client = client_as("security_admin")
    response = upload(client, csv_file(ROWS))
    assert response.status_code == 404 and b"anbao ca init" in response.content


def test_batch_is_only_for_its_uploader(admin, eager, make_user):
    from django.test import Client

    batch_id = upload(admin, csv_file(ROWS))["Location"].rstrip("/").rsplit("/", 1)[-1]
    other = Client()
    other.force_login(make_user("other.sec", "security_admin"))
    assert other.get(f"/pki/admin/batches/{batch_id}/").status_code == 404
    assert other.post(f"/pki/admin/batches/{batch_id}/download/").status_code == 404
    assert admin.get("/pki/admin/batches/x/").status_code == 404
    assert admin.post(f"/pki/admin/batches/{batch_id}/download/").status_code == 200


def test_batch_job_refuses_bad_parameters(ca, eager):
    from anbao.errors import ValidationError

    for params in ({}, {"batch": "../../etc"}, {"batch": "a" * 32, "more": 1}):
        with pytest.raises(ValidationError):
            jobs.submit("pki.batch", params, actor="cli")
    job = jobs.submit("pki.batch", {"batch": "a" * 32}, actor="cli")
    assert job.state == "failed"


def test_expiry_notice_tells_holder_and_security_admins_once(ca, eager, make_user, mailoutbox):
    sec1 = make_user("sec1", "security_admin", email="sec1@example.cn")
    make_user("sec2", "security_admin")
    make_user("gone", "security_admin", is_active=False)
    engineer = make_user("eng", "engineer")
    soon = issuance.issue(
        issuance.HolderInput(name="张三", email="zs@example.cn", username="zhangsan"),
        generate_key=True,
        dual=True,
        now=timezone.now() - dt.timedelta(days=350),
    )
    issuance.issue(issuance.HolderInput(name="李四", email="ls@example.cn"), generate_key=True)
    revoked = issuance.issue(
        issuance.HolderInput(name="王五", email="ww@example.cn"),
        generate_key=True,
        now=timezone.now() - dt.timedelta(days=350),
    )
    renewed = issuance.issue(
        issuance.HolderInput(name="赵六", email="zl@example.cn"),
        generate_key=True,
        now=timezone.now() - dt.timedelta(days=340),
    )
    from anbao.pki.services.status import renew, revoke

    revoke(revoked.signing.serial, "superseded")
    renew(renewed.signing.serial)
    job = jobs.submit("pki.expiry_notice", {}, actor="cli")
    assert job.state == "succeeded", job.error
    assert job.result == {"certificates": 1, "notifications": 3}
    notes = Notification.objects.all()
    assert {n.user.username for n in notes} == {"zhangsan", "sec1", "sec2"}
    assert {n.topic for n in notes} == {f"pki-expiry:{soon.signing.serial}"}
    holder_note = notes.get(user__username="zhangsan")
    assert holder_note.link == "" and "张三" in holder_note.title
    admin_note = notes.get(user=sec1)
    assert admin_note.link.endswith(f"/pki/admin/certificates/{soon.signing.serial}/")
    assert "证书" in admin_note.title and soon.signing.serial in admin_note.body
    assert not Notification.objects.filter(user=engineer).exists()
    assert sorted(m.to[0] for m in mailoutbox) == ["sec1@example.cn", "zs@example.cn"]
    again = jobs.submit("pki.expiry_notice", {}, actor="cli")
    assert again.result == {"certificates": 1, "notifications": 0}
    assert Notification.objects.count() == 3


def test_crl_job_issues_a_fresh_crl(ca, eager):
    issued = issuance.issue(
        issuance.HolderInput(name="张三", email="zs@example.cn"), generate_key=True
    )
    from anbao.pki.services.status import revoke

    revoke(issued.signing.serial, "key_compromise")
    first = jobs.submit("pki.crl", {}, actor="scheduler")
    second = jobs.submit("pki.crl", {}, actor="scheduler")
    assert first.state == second.state == "succeeded"
    assert second.result["number"] == first.result["number"] + 1
    latest = RevocationList.objects.order_by("-number").first()
    from asn1crypto import crl

    revoked = crl.CertificateList.load(bytes(latest.der))["tbs_cert_list"]["revoked_certificates"]
    assert [r["user_certificate"].native for r in revoked] == [int(issued.signing.serial, 16)]
    assert AuditRecord.objects.filter(action="ca.crl").count() == 2


def test_crl_job_without_a_ca_fails_with_a_message(db, settings, tmp_path, eager):
    settings.DATA_DIR = tmp_path
    job = jobs.submit("pki.crl", {}, actor="scheduler")
    assert job.state == "failed" and "anbao ca init" in job.error


def test_batch_refused_at_run_time_issues_nothing_and_keeps_no_data(ca, eager, make_user, settings):
    from anbao.pki.services import batch_jobs

    admin = make_user("sec", "security_admin")
    text = io.StringIO()
    csv.writer(text).writerows(ROWS)
    meta = batch_jobs.stage("h.csv", text.getvalue().encode(), profile="", dual=False, user=admin)
    issuance.issue(issuance.HolderInput(name="别人", email="li@example.cn"), generate_key=True)
    job = jobs.submit("pki.batch", {"batch": meta["id"]}, user=admin)
    assert job.state == "failed" and "li@example.cn" not in job.params
    assert Certificate.objects.count() == 1
    folder = settings.DATA_DIR / "pki" / "batches" / meta["id"]
    assert not (folder / "source").exists()
    assert batch_jobs.status_of(meta, job.state) == "failed"
    rerun = jobs.submit("pki.batch", {"batch": meta["id"]}, user=admin)
    assert rerun.state == "failed" and Certificate.objects.count() == 1
