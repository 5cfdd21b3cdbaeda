"""Print, as JSON, everything a restore must reproduce: every report of the golden test,
every customer record (decrypted), every lake table and every database table's row count.

Run in a subprocess against one home: ``python -m tests.installation.capture``.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any


def capture() -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    django.setup()
    from django.apps import apps
    from django.contrib.auth.models import User
    from django.test import Client

    from guanxi import lake
    from guanxi.installation.services import _tables
    from tests.test_golden import _capture

    viewer = User.objects.filter(username="capture").first()
    if viewer is None:
        from guanxi.accounts import roles
        from guanxi.accounts.services import roles_ensure, user_create

        roles_ensure()
        user_create(username="capture", role=roles.MANAGER, agent_id="")
        viewer = User.objects.get(username="capture")
    client = Client()
    client.force_login(viewer)
    reports = _capture(client)
    customers = {
        model._meta.label: [
            {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
            for row in model._base_manager.order_by("pk")
        ]
        for model in apps.get_app_config("customers").get_models()
    }
    shop = lake.get()
    root = shop.root
    lake_tables = {
        name: sorted(
            json.dumps(r, default=str, sort_keys=True) for r in shop.to_arrow(name).to_pylist()
        )
        for name in sorted(os.listdir(root))
        if not name.startswith("_")  # the derived tables: rebuilt, compared via the reports
    }
    counts = {m._meta.db_table: m._base_manager.count() for m in _tables(apps)}
    return {"reports": reports, "customers": customers, "lake": lake_tables, "rows": counts}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(capture(), default=str, ensure_ascii=False, sort_keys=True))
