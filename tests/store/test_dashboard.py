from __future__ import annotations

import pytest
from django.test import Client

from guanxi.lake import Lake
from tests.factories import login, small_shop

pytestmark = pytest.mark.django_db


def test_manager_sees_figures_and_previous_period(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    response = client.get("/store/", {"start": "2024-06-18", "end": "2024-06-18"})
    assert response.status_code == 200
    html = response.content.decode()
    tiles = {t.key: t for t in response.context["tiles"]}
    # 18 June: PV 1427, UV 610 → depth 2.34; 17 June (previous day): 1045/553 → 1.89
    assert (tiles["pv"].value, tiles["uv"].value, tiles["visit_depth"].value) == (
        "1,427",
        "610",
        "2.34",
    )
    assert tiles["visit_depth"].previous == "1.89"
    # paid on the 18th: o3 (80.00, c2); on the 17th: o1 + o2 = 150.50 (c1)
    assert (tiles["paid_amount"].value, tiles["paid_amount"].previous) == ("¥80.00", "¥150.50")
    assert tiles["paid_amount"].change == "-46.8%"  # (80 − 150.5) / 150.5
    assert (tiles["paid_amount"].direction, tiles["paid_amount"].trend) == ("down", "bad")
    # refund rate 0 ÷ 1 on the 18th against 1 ÷ 2 on the 17th: it fell, which is good
    assert tiles["refund_rate"].value == "0.00%"
    assert (tiles["refund_rate"].direction, tiles["refund_rate"].trend) == ("down", "good")
    assert "plotly/plotly.min.js" in html
    assert response.context["chart"]["uv"] == [610]


def test_period_with_no_data_says_so(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "manager")
    response = client.get("/store/", {"start": "2030-01-01", "end": "2030-01-31"})
    assert 'id="no-data"' in response.content.decode()


def test_reversed_period_is_explained_and_default_shown(
    client: Client, make_user, lake: Lake
) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    response = client.get("/store/", {"start": "2024-06-18", "end": "2024-06-01"})
    assert response.status_code == 200
    assert "晚于结束日期" in response.content.decode()
    # default: the month of the latest traffic day (June 2024)
    assert str(response.context["period"].start) == "2024-06-01"


def test_agent_is_refused_the_dashboard(client: Client, make_user, lake: Lake) -> None:
    login(client, make_user, "agent")
    assert client.get("/store/").status_code == 403
    assert client.get("/store/export.csv").status_code == 403
    assert client.get("/")["Location"] == "/customers/"


def test_anonymous_is_sent_tologin(client: Client, lake: Lake) -> None:
    response = client.get("/store/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_dashboard_export_csv(client: Client, make_user, lake: Lake) -> None:
    small_shop(lake)
    login(client, make_user, "marketing")
    response = client.get("/store/export.csv", {"start": "2024-06-17", "end": "2024-06-18"})
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == "指标,2024-06-17 – 2024-06-18,2024-06-15 – 2024-06-16"
    assert "支付金额,230.50,999.00" in lines
    assert "2024-06-18,1427,610,1,1,80.00" in lines


def test_period_inputs_carry_iso_dates_for_the_browser(
    client: Client, make_user, lake: Lake
) -> None:
    small_shop(lake)
    login(client, make_user, "manager")
    page = client.get("/store/?start=2024-06-17&end=2024-06-18").content.decode()
    assert 'type="date"' in page and 'value="2024-06-17"' in page and 'value="2024-06-18"' in page
