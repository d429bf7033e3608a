"""The batch upload on the default in-process backend: queued by the page, run by the runner.

Inside a test's transaction the in-process pool is never handed the job (it starts jobs on
commit), so the test runs it the way a pool thread does, with ``run_job``. A real worker
thread against the test's shared in-memory SQLite would race the request's own writes.
"""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anbao.jobs.models import Job
from anbao.jobs.runner import run_job
from anbao.pki.models import Certificate

pytestmark = pytest.mark.django_db


def test_batch_is_queued_then_run_and_collected_once(ca, client_as, settings):
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
    job = Job.objects.get(kind="pki.batch")
    assert job.state == "queued" and job.backend == "inprocess"
    assert Certificate.objects.count() == 0
    assert admin.get(f"/pki/admin/batches/{batch_id}/").context["batch"]["state"] == "queued"
    assert admin.post(f"/pki/admin/batches/{batch_id}/download/").status_code == 404

    run_job(job.id)
    job.refresh_from_db()
    assert job.state == "succeeded", job.error
    assert job.result["issued"] == 1 and job.progress == 100
    assert Certificate.objects.count() == 2
    zipped = admin.post(f"/pki/admin/batches/{batch_id}/download/")
    assert zipped.status_code == 200
    assert "pins.csv" in zipfile.ZipFile(io.BytesIO(zipped.content)).namelist()
    assert admin.post(f"/pki/admin/batches/{batch_id}/download/").status_code == 404
