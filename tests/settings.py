"""Test settings: Guanxi's settings with a throw-away lake, keys and SQLite file."""

import os
import tempfile

_base = tempfile.mkdtemp(prefix="guanxi-test-")
os.environ.setdefault("GUANXI_DATABASE_URL", f"sqlite:///{_base}/test.sqlite3")
os.environ.setdefault("GUANXI_LAKE", f"{_base}/lake")
os.environ.setdefault("GUANXI_KEY_FILE", f"{_base}/keys/field.key")
os.environ.setdefault("GUANXI_STATIC_ROOT", f"{_base}/static")
os.environ.setdefault("GUANXI_SECRET_KEY_FILE", f"{_base}/keys/secret.key")
os.environ.setdefault("GUANXI_IMPORT_DIR", f"{_base}/imports")
# Counting the pages' figures ahead after every import would slow each test's imports; the
# figure cache itself stays on (tests/performance/test_figure_cache.py warms on purpose).
os.environ.setdefault("GUANXI_WARM_FIGURES", "0")

from guanxi.settings import *  # noqa: E402, F403

# Tests run background tasks at once, in the request that enqueues them.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
