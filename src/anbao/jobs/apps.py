from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "anbao.jobs"
    label = "jobs"
    verbose_name = _("Jobs")

    def ready(self) -> None:
        # Every app declares its job kinds in its ``tasks`` module; import them all so that
        # the web process, the CLI and a Celery worker know the same kinds.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("tasks")
