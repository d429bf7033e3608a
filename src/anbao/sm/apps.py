"""Django app entry for ``anbao.sm``: only so that the CLI's translations are found.

The cryptography modules themselves never import Django.
"""

from django.apps import AppConfig


class SMConfig(AppConfig):  # type: ignore[misc]
    name = "anbao.sm"
    label = "sm"
    verbose_name = "SM2/SM3/SM4"
