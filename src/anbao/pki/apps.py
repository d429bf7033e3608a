from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PKIConfig(AppConfig):
    name = "anbao.pki"
    label = "pki"
    verbose_name = _("Certificate authority")
