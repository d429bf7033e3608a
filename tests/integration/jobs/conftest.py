"""Fixtures for the jobs tests: the eager backend, throwaway job kinds."""

from __future__ import annotations

import pytest

from anbao.jobs import registry


@pytest.fixture
def eager(settings):
    """Run submitted jobs at once in the test's thread and transaction."""
    settings.ANBAO_JOB_BACKEND = "eager"
    return settings


@pytest.fixture
def queued_only(settings):
    """The in-process backend inside a test transaction: jobs are queued and stay queued,
    because the pool is only handed a job once the transaction commits."""
    settings.ANBAO_JOB_BACKEND = "inprocess"
    return settings


@pytest.fixture
def kind():
    """``kind(name, fn)`` registers a job kind for one test."""
    names = []

    def register(name, fn, **options):
        registry.job(name, **options)(fn)
        names.append(name)
        return name

    yield register
    for name in names:
        registry.unregister(name)


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield
