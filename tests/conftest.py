"""Fixtures shared by every test: users of each role, signed-in clients."""

from __future__ import annotations

import pytest

from anbao.accounts.core import Role
from services import IN_CI
from tests_helpers import PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2 at production strength costs ~0.5 s a user; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    from anbao.accounts.models import User

    def make(username: str | None = None, role: Role | str = Role.ENGINEER, **extra):
        role = Role(role)
        user = User.objects.create_user(
            username=username or f"u_{role.value}",
            password=PASSWORD,
            role=role.value,
            must_change_password=False,
            **extra,
        )
        return user

    return make


@pytest.fixture
def client_as(client, make_user):
    """``client_as(role)`` → a Django test client signed in as a fresh user of that role."""

    def sign_in(role: Role | str):
        user = make_user(role=role)
        client.force_login(user)
        client.user = user
        return client

    return sign_in


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.fixture(autouse=True)
def _audit_triggers_allow_flush(request):
    """Around a transactional test: triggers in place during it, dropped for the flush."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")
    from audit_triggers import drop_triggers, restore_triggers

    restore_triggers()
    yield
    drop_triggers()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a skipped test is a failed test: nothing may silently not run."""
    outcome = yield
    report = outcome.get_result()
    if IN_CI and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"CI=true forbids skipping: {reason}"


def pytest_collection_modifyitems(config, items):
    """Tests marked postgres run only against PostgreSQL; elsewhere make test deselects them."""
    import os

    if os.environ.get("ANBAO_TEST_DATABASE") == "postgres":
        return
    selected = config.getoption("-m") or ""
    if "postgres" in selected:
        return
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(pytest.mark.skip(reason="needs ANBAO_TEST_DATABASE=postgres"))
