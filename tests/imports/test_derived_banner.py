"""Pages say when their figures come from the raw records (a refresh of the derived tables is
pending), with the refresh's progress when one is running; they say nothing when the derived
tables are current."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
from django.conf import settings
from django.test import Client

from guanxi.lake import Lake
from guanxi.performance import shop_settings
from tests.factories import chats_table, login


def test_the_banner_follows_the_derived_tables(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")
    lake.write(
        "chat_messages", chats_table([("s1", "c1", "customer", None, "2024-06-18 10:00:00")])
    )
    page = client.get("/performance/agents/?start=2024-06-18&end=2024-06-18").content.decode()
    assert 'id="derived-stale"' in page and "<progress" not in page  # never built
    state = lake.derived.rebuild(settings.TIME_ZONE, shop_settings.attribution_rules())
    assert state.mode == "rebuild"
    page = client.get("/performance/agents/?start=2024-06-18&end=2024-06-18").content.decode()
    assert 'id="derived-stale"' not in page
    # An import lands; a refresh is running and a third through.
    late = chats_table([("s2", "c2", "customer", None, "2024-06-18 11:00:00")])
    lake.write("chat_messages", late.set_column(1, "message_id", pa.array(["late"])))
    Path(lake.derived.root, "refreshing.json").write_text(json.dumps({"share": 0.333}))
    page = client.get("/performance/agents/?start=2024-06-18&end=2024-06-18").content.decode()
    assert 'id="derived-stale"' in page and 'value="33"' in page
