"""Loaded with ``-p testenv`` before Django starts: point anbao at a throwaway data dir.

``ANBAO_TEST_DATABASE=postgres`` runs the suite against the PostgreSQL server on
127.0.0.1:5432 (user postgres, trust auth), as CI does in its second pass.
"""

import os
import tempfile

_data_dir = tempfile.mkdtemp(prefix="anbao-test-")
os.makedirs(os.path.join(_data_dir, "static"), exist_ok=True)
os.environ["ANBAO_DATA_DIR"] = _data_dir
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anbao.settings")
os.environ.pop("CELERY_BROKER_URL", None)
if os.environ.get("ANBAO_TEST_DATABASE") == "postgres":
    os.environ["DATABASE_URL"] = os.environ.get(
        "ANBAO_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/anbao"
    )
else:
    os.environ.pop("DATABASE_URL", None)
