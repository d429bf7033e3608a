from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PKIConfig(AppConfig):
    name = "anbao.pki"
    label = "pki"
    verbose_name = _("Certificate authority")

    def ready(self) -> None:
        # The job kinds (expiry notice, CRL, batch) must be known in every process.
        from anbao.pki import tasks  # noqa: F401
