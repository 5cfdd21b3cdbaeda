"""What the import tests that run ``guanxi`` as a real process share: the command and a
migrated installation of their own under the test's temporary folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GUANXI = [sys.executable, "-m", "guanxi.cli"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
        "GUANXI_DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "GUANXI_LAKE": str(tmp_path / "lake"),
        "GUANXI_KEY_FILE": str(tmp_path / "keys" / "field.key"),
        "GUANXI_SECRET_KEY_FILE": str(tmp_path / "keys" / "secret.key"),
        "GUANXI_IMPORT_DIR": str(tmp_path / "imports"),
        "GUANXI_STATIC_ROOT": str(tmp_path / "static"),
    }
    environment.pop("GUANXI_FAULT", None)
    subprocess.run([*GUANXI, "migrate", "-v", "0"], env=environment, check=True)
    return environment
