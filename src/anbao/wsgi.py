"""WSGI entry point for gunicorn (``anbao serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anbao.settings")
django_application = get_wsgi_application()

from anbao.pki.fast_verify import FastVerify  # noqa: E402 - needs the settings configured

application = FastVerify(django_application)
