"""The report kinds that ship with the reports app, registered on import."""

from anbao.reports import registry
from anbao.reports.kinds import status

registry.register(status.KIND)
