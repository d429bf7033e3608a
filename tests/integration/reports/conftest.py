"""Fixtures for the report tests: a private reports directory and the sample engagement."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path):
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR


@pytest.fixture
def engagement(db):
    from anbao.engagement.services import load_sample

    return load_sample()
