from __future__ import annotations

import pytest


@pytest.fixture
def ca(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    from anbao.pki.services.authority import init_ca

    return init_ca("CN=测试 CA,O=北京市精神卫生保健所,C=CN", actor="test")
