"""The pure core of the engagement domain: no Django, no I/O; dates and money as parameters.

- ``calendar``: working days, contract months and quarters;
- ``schedule``: due dates of the deliverables of 第七条;
- ``liabilities``: instalments, guarantee and the penalties of 第十条;
- ``summary``: ``summarize(contract, today) -> StatusSummary``, the dashboard's figures.
"""

from anbao.engagement.core.calendar import Period, add_working_days, months_of, quarters_of
from anbao.engagement.core.liabilities import Terms, money, share
from anbao.engagement.core.schedule import Cadence, acceptance_window_opens, schedule
from anbao.engagement.core.summary import StatusSummary, summarize

__all__ = [
    "Cadence",
    "Period",
    "StatusSummary",
    "Terms",
    "acceptance_window_opens",
    "add_working_days",
    "money",
    "months_of",
    "quarters_of",
    "schedule",
    "share",
    "summarize",
]
