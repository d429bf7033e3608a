"""Fixtures of the engagement tests: the sample contract and a small new one."""

from __future__ import annotations

import copy

import pytest

NEW_CONTRACT = {
    "code": "TEST-2024-01",
    "name": "测试医院安全服务项目",
    "amount": "500000",
    "start_date": "2024-01-01",
    "end_date": "2024-12-31",
    "parties": [
        {
            "role": "client",
            "name": "测试医院",
            "legal_representative": "张三",
            "address": "北京市",
            "phone": "010-1",
        },
        {"role": "provider", "name": "测试公司", "legal_representative": "李四"},
    ],
    "service_items": [
        {
            "code": "inspection",
            "name": "安全巡检",
            "category": "service",
            "quantity": 12,
            "unit": "次",
            "quantity_text": "每月 1 次",
        },
    ],
    "deliverable_kinds": [
        {
            "code": "inspection-report",
            "name": "安全巡检报告",
            "count": 12,
            "cadence": "monthly",
            "service_item": "inspection",
        },
        {
            "code": "final-acceptance-report",
            "name": "项目终验报告",
            "count": 1,
            "cadence": "at_end",
        },
    ],
    "payment_milestones": [
        {"name": "首付款", "percentage": "60", "condition": "签约后", "days_after_condition": 15},
        {"name": "尾款", "percentage": "40", "condition": "验收后", "days_after_condition": 30},
    ],
    "guarantee": {"percentage": "10", "provide_by": "2024-03-01", "return_by": "2024-10-31"},
}


@pytest.fixture
def new_contract():
    return copy.deepcopy(NEW_CONTRACT)


@pytest.fixture
def sample(db):
    from anbao.engagement.services import load_sample

    return load_sample()


@pytest.fixture
def engineer(make_user):
    return make_user("engineer1", "engineer")


@pytest.fixture
def officer(make_user):
    return make_user("officer1", "client_officer")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded files of each test go to its own directory."""
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT
