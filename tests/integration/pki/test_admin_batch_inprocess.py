"""The batch upload on the in-process job backend: a real worker thread, committed rows."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anbao.jobs import services as jobs
from anbao.jobs.models import Job
from anbao.pki.models import Certificate

pytestmark = pytest.mark.django_db(transaction=True)


def test_batch_runs_in_a_worker_thread_and_is_collected_once(ca, client_as, settings):
    settings.ANBAO_JOB_BACKEND = "inprocess"
    admin = client_as("security_admin")
    text = io.StringIO()
    csv.writer(text).writerows(
        [["name", "email", "unit", "profile"], ["王医生", "wang@example.cn", "精神科", "pc"]]
    )
    upload = SimpleUploadedFile("h.csv", text.getvalue().encode())
    response = admin.post("/pki/admin/batches/", {"file": upload, "dual": "on"})
    assert response.status_code == 302
    batch_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    job = jobs.wait(Job.objects.get(kind="pki.batch").id, timeout=60)
    assert job.state == "succeeded", job.error
    assert job.backend == "inprocess" and job.result["issued"] == 1
    assert Certificate.objects.count() == 2
    zipped = admin.post(f"/pki/admin/batches/{batch_id}/download/")
    assert zipped.status_code == 200
    assert "pins.csv" in zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert admin.post(f"/pki/admin/batches/{batch_id}/download/").status_code == 404
