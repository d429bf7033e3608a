"""GET /api/jobs/, GET /api/jobs/<id>/, POST /api/jobs/<id>/cancel/."""

from __future__ import annotations

import pytest

from anbao.accounts.core import Role
from anbao.jobs import services
from anbao.jobs.core import State

pytestmark = pytest.mark.django_db

UNKNOWN = "3f0c8b7e-1d2a-4c5b-9e6f-000000000000"


@pytest.fixture
def done(eager):
    return services.submit("jobs.selftest", {"steps": 2})


def test_list_shows_jobs_with_progress(client_as, done):
    response = client_as(Role.ENGINEER).get("/api/jobs/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    job = body["results"][0]
    assert job["id"] == str(done.id) and job["state"] == "succeeded" and job["progress"] == 100
    assert job["finished"] is True and "log" not in job


def test_list_filters_by_state_and_refuses_unknown_states(client_as, done):
    client = client_as(Role.CLIENT_OFFICER)
    assert client.get("/api/jobs/?state=running").json()["count"] == 0
    assert client.get("/api/jobs/?state=succeeded&kind=jobs.selftest").json()["count"] == 1
    response = client.get("/api/jobs/?state=paused")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_detail_includes_the_log(client_as, done):
    response = client_as(Role.ENGINEER).get(f"/api/jobs/{done.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["result"]["rounds"] == 2 and "round 2/2" in body["log"]


@pytest.mark.parametrize("bad", ["not-a-uuid", UNKNOWN, "%20", "1"])
def test_bad_ids_are_404_json(client_as, bad):
    client = client_as(Role.ENGINEER)
    for response in (client.get(f"/api/jobs/{bad}/"), client.post(f"/api/jobs/{bad}/cancel/")):
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["error"]["code"] == "not_found"


def test_cancel_a_queued_job(client_as, queued_only):
    job = services.submit("jobs.selftest", {"steps": 1})
    client = client_as(Role.SYSTEM_ADMIN)
    response = client.post(f"/api/jobs/{job.id}/cancel/")
    assert response.status_code == 200
    assert response.json()["state"] == State.CANCELLED
    again = client.post(f"/api/jobs/{job.id}/cancel/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "conflict"


def test_cancel_needs_the_cancel_capability(client_as, queued_only):
    job = services.submit("jobs.selftest", {"steps": 1})
    response = client_as(Role.CLIENT_OFFICER).post(f"/api/jobs/{job.id}/cancel/")
    assert response.status_code == 403
    assert services.get(job.id).state == State.QUEUED


@pytest.mark.parametrize("role", [Role.HOLDER, Role.AUDIT_ADMIN, Role.SECURITY_ADMIN])
def test_roles_without_jobs_view_are_refused(client_as, role, done):
    client = client_as(role)
    assert client.get("/api/jobs/").status_code == 403
    assert client.get(f"/api/jobs/{done.id}/").status_code == 403


def test_anonymous_is_401(client, done):
    assert client.get("/api/jobs/").status_code == 401
    assert client.post(f"/api/jobs/{done.id}/cancel/").status_code == 401


def test_jobs_cannot_be_created_or_deleted_over_the_api(client_as, done):
    client = client_as(Role.ENGINEER)
    # No write capability is declared on these routes, so writes are refused outright.
    assert client.delete(f"/api/jobs/{done.id}/").status_code in (403, 405)
    assert client.post("/api/jobs/", {}).status_code in (403, 405)
    assert services.get(done.id).state == State.SUCCEEDED
