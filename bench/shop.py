"""The shop the benchmarks run on: a demo shop built once per scale under ``var/bench``.

Django is pointed at a private database, lake and key under that folder before it starts,
so benchmarking never touches the real installation.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "var" / "bench"


def prepare(scale: str, seed: int = 2025) -> Path:
    """Configure Django for the bench shop of ``scale`` and build it if missing."""
    base = ROOT / scale
    base.mkdir(parents=True, exist_ok=True)
    os.environ["GUANXI_DATABASE_URL"] = f"sqlite:///{base}/guanxi.sqlite3"
    os.environ["GUANXI_LAKE"] = str(base / "lake")
    os.environ["GUANXI_KEY_FILE"] = str(base / "keys" / "field.key")
    os.environ["GUANXI_SECRET_KEY_FILE"] = str(base / "keys" / "secret.key")
    os.environ["GUANXI_STATIC_ROOT"] = str(base / "static")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django
    from django.core.management import call_command

    django.setup()
    from guanxi import demo, lake

    call_command("migrate", verbosity=0)
    shop = lake.get()
    if not demo.has_data(shop):
        summary = demo.build(scale, seed, shop)
        print(f"built the {scale} demo shop in {summary.seconds:.1f} s: {summary.counts}")
    return base


def lake_root(scale: str) -> Path:
    """The lake of the bench shop of ``scale``, read as it is when it exists (it may be a
    link to a shared, read-only copy: nothing here writes to it); built once otherwise."""
    lake = ROOT / scale / "lake"
    if not (lake / "chat_messages" / "_delta_log").is_dir():
        prepare(scale)
    return lake
