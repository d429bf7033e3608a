from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "anbao.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from anbao.accounts import signals  # noqa: F401  (connects login/lockout auditing)
