"""The job pages: list with <progress>, detail with log, cancel through a POST form."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from anbao.accounts.core import Role
from anbao.jobs import services
from anbao.jobs.core import State

pytestmark = pytest.mark.django_db


@pytest.fixture
def done(eager):
    return services.submit("jobs.selftest", {"steps": 2})


def test_list_page_shows_progress_bars_and_loads_the_poller(client_as, done):
    response = client_as(Role.ENGINEER).get("/jobs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<progress max="100" value="100"' in html
    assert f'data-api="/api/jobs/{done.id}/"' in html
    assert re.search(r'<script src="/static/jobs/progress\.js[^"]*" defer></script>', html)
    assert "<script>" not in html  # CSP: no inline script
    assert finders.find("jobs/progress.js")


def test_list_page_filter_and_bad_filter(client_as, done):
    client = client_as(Role.CLIENT_OFFICER)
    assert str(done.id) not in client.get("/jobs/?state=failed").content.decode()
    response = client.get("/jobs/?state=paused")
    assert response.status_code == 200 and str(done.id) in response.content.decode()


def test_nav_links_to_the_list(client_as):
    from django.urls import reverse

    assert reverse("jobs:list") == "/jobs/"


def test_detail_page_shows_log_and_result(client_as, done):
    html = client_as(Role.ENGINEER).get(f"/jobs/{done.id}/").content.decode()
    assert "round 1/2" in html and 'data-field="log"' in html
    assert 'data-finished="1"' in html
    assert "data-cancel-form" not in html  # finished: nothing to cancel


def test_cancel_button_only_for_cancel_capability(client_as, queued_only):
    job = services.submit("jobs.selftest", {"steps": 1})
    html = client_as(Role.ENGINEER).get(f"/jobs/{job.id}/").content.decode()
    assert "data-cancel-form" in html and 'name="csrfmiddlewaretoken"' in html
    officer = client_as(Role.CLIENT_OFFICER)
    assert "data-cancel-form" not in officer.get(f"/jobs/{job.id}/").content.decode()
    assert officer.post(f"/jobs/{job.id}/cancel/").status_code == 403


def test_cancel_through_the_page(client_as, queued_only):
    job = services.submit("jobs.selftest", {"steps": 1})
    client = client_as(Role.SYSTEM_ADMIN)
    response = client.post(f"/jobs/{job.id}/cancel/", follow=True)
    assert response.redirect_chain[-1][0] == f"/jobs/{job.id}/"
    assert services.get(job.id).state == State.CANCELLED
    again = client.post(f"/jobs/{job.id}/cancel/", follow=True)
    assert again.status_code == 200 and list(again.context["messages"])
    assert client.get(f"/jobs/{job.id}/cancel/").status_code == 405


def test_cancel_needs_a_csrf_token(make_user, queued_only):
    job = services.submit("jobs.selftest", {"steps": 1})
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("dave", Role.ENGINEER))
    assert client.post(f"/jobs/{job.id}/cancel/").status_code == 403
    assert services.get(job.id).state == State.QUEUED


@pytest.mark.parametrize("bad", ["nope", "3f0c8b7e-1d2a-4c5b-9e6f-000000000000"])
def test_bad_ids_are_404_pages(client_as, bad):
    client = client_as(Role.ENGINEER)
    assert client.get(f"/jobs/{bad}/").status_code == 404
    assert client.post(f"/jobs/{bad}/cancel/").status_code == 404


def test_pages_need_jobs_view(client_as, client, done):
    assert client.get("/jobs/").status_code == 302  # to the sign-in page
    holder = client_as(Role.HOLDER)
    assert holder.get("/jobs/").status_code == 403
    assert holder.get(f"/jobs/{done.id}/").status_code == 403
