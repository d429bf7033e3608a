"""Use cases of the engagement domain. Web, API and CLI call these; they call the core.

Public names used by other apps: ``load_sample`` (``anbao init``), ``status_summary`` (the
dashboard and the 项目进度报告), ``current_engagement``.
"""

from anbao.engagement.services.checks import clean_contract
from anbao.engagement.services.contracts import (
    add_kind,
    create_engagement,
    create_kind,
    delete_engagement,
    delete_kind,
    load_sample,
    load_sample_data,
    save_party,
    save_service_item,
    standard_deliverable_kinds,
    update_engagement,
)
from anbao.engagement.services.records import (
    add_attachments,
    add_maintenance_record,
    add_work_log_entry,
)
from anbao.engagement.services.summary import (
    contract_input,
    current_engagement,
    status_summary,
)
from anbao.engagement.services.workflow import transition, update_guarantee, update_milestone

__all__ = [
    "add_attachments",
    "add_kind",
    "add_maintenance_record",
    "add_work_log_entry",
    "clean_contract",
    "contract_input",
    "create_engagement",
    "create_kind",
    "delete_engagement",
    "delete_kind",
    "current_engagement",
    "load_sample",
    "load_sample_data",
    "save_party",
    "save_service_item",
    "standard_deliverable_kinds",
    "status_summary",
    "transition",
    "update_engagement",
    "update_guarantee",
    "update_milestone",
]
