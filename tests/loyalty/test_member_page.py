"""The members page (roles, settings form, recompute button, export) and the monthly task
that re-schedules itself for the next month's configured day."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from guanxi.customers.models import Customer
from guanxi.lake import Lake
from guanxi.loyalty import member_scores, tasks
from guanxi.loyalty.models import MemberScore, MemberSettings
from tests.factories import login
from tests.loyalty.test_member_scores import AUGUST, JULY

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def _waiting() -> list[dt.datetime]:
    rows = DBTaskResult.objects.filter(
        task_path=tasks.member_scores_monthly.module_path, status="READY"
    )
    return [r.run_after.astimezone(SHANGHAI) for r in rows]


def test_the_page_for_a_manager_shows_tiers_formula_and_distribution(
    client: Client, make_user, member_shop: Lake
) -> None:
    member_scores.compute(JULY)
    login(client, make_user, "manager")
    page = client.get("/loyalty/members/").content.decode()
    assert 'id="members-month">2025-07<' in page
    # W 1106 super, N 200 ordinary: one each, 50.0 %
    assert '<tr data-tier="super"><td><strong>超级会员</strong></td>' in page
    assert page.count('data-col="share">50.0%</td>') == 2
    assert '<td class="num nowrap">1,000 – 2,499</td>' in page
    assert "极速退款" in page  # a default benefit of super members
    # The worked example with the shop's rules: 306 + 70 + 730 = 1106.
    assert "成长值 = 306 + 70 + 730 = 1106，等级：超级会员" in page
    assert '<td class="arith">min(⌊1234.50 × 0.2⌋, 1200)</td><td class="num">246</td>' in page
    # The histogram's data and its table beside it: width 100 (1106 ÷ 20 → 100), bins 200…1100.
    assert 'id="members-data"' in page and 'id="histogram-table"' in page
    assert '<td class="num nowrap">200 – 299</td><td class="num">1</td>' in page
    assert '<td class="num nowrap">1100 – 1199</td><td class="num">1</td>' in page
    assert 'id="members-settings"' in page and 'id="recompute-form"' in page


def test_agents_are_refused_and_marketing_sees_but_cannot_change(
    client: Client, make_user, member_shop: Lake
) -> None:
    login(client, make_user, "agent", agent_id="kf1")
    assert client.get("/loyalty/members/").status_code == 403
    assert client.post("/loyalty/members/recompute/").status_code == 403
    client.logout()
    login(client, make_user, "marketing")
    page = client.get("/loyalty/members/")
    assert page.status_code == 200
    assert 'id="members-settings"' not in page.content.decode()
    assert client.post("/loyalty/members/", {"run_day": 9}).status_code == 403
    assert client.post("/loyalty/members/recompute/").status_code == 403
    assert not MemberScore.objects.exists()


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "super_from": 1000,
        "apass_from": 2500,
        "perk_daily_from": 400,
        "perk_premium_from": 800,
        "run_day": 8,
        "benefits_ordinary": "积分兑换",
        "benefits_super": "极速退款\n专属客服",
        "benefits_apass": "极速退款",
        "benefits_daily": "",
        "benefits_premium": "优先发货",
        "coupon_ordinary": "0",
        "coupon_super": "15.00",
        "coupon_apass": "50",
    }
    return data | changes


def test_the_settings_form_saves_and_refuses_overlapping_bounds(
    client: Client, make_user, member_shop: Lake
) -> None:
    login(client, make_user, "manager")
    response = client.post("/loyalty/members/", _form(apass_from=900))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="apass_from"' in page and "overlaps the super-member tier (超级会员)" in page
    assert MemberSettings.objects.get(pk=1).apass_from == 2500
    response = client.post("/loyalty/members/", _form(super_from=1200, run_day=15))
    assert response.status_code == 302
    row = MemberSettings.objects.get(pk=1)
    assert (row.super_from, row.run_day, row.coupons["super"]) == (1200, 15, "15.00")
    assert row.benefits["super"] == ["极速退款", "专属客服"] and row.benefits["daily"] == []


def test_recompute_now_queues_the_task(client: Client, make_user, member_shop: Lake) -> None:
    login(client, make_user, "admin")
    # The tests' task backend is immediate: the queued task runs in the request. With no
    # month given: this month, or — the example's orders end on 2025-07-01, before last
    # month — the month after the data, August 2025 (as of 2025-07-31).
    response = client.post("/loyalty/members/recompute/")
    assert response.status_code == 302
    assert member_scores.resolve() == (AUGUST, dt.date(2025, 7, 31))
    assert MemberScore.objects.filter(month=AUGUST).count() == Customer.objects.count() == 2
    assert MemberSettings.objects.get(pk=1).last_run_month == AUGUST
    # A month given: that month; a bad one is refused and nothing runs.
    client.post("/loyalty/members/recompute/", {"month": "2025-07"})
    assert MemberScore.objects.filter(month=JULY).count() == 2
    response = client.post("/loyalty/members/recompute/", {"month": "2025-13"}, follow=True)
    assert "2025-13 不是月份" in response.content.decode()
    assert MemberScore.objects.filter(month=dt.date(2025, 12, 1)).count() == 0


def test_the_csv_export_counts_tiers_safely(client: Client, make_user, member_shop: Lake) -> None:
    member_scores.compute(JULY)
    login(client, make_user, "manager")
    text = client.get("/loyalty/members/export.csv").content.decode("utf-8-sig")
    assert '超级会员,"1,000 – 2,499",1,50.0%' in text.replace("\r", "")


@pytest.mark.parametrize(
    ("now", "day", "expected"),
    [
        (_local(2025, 8, 8, 2, 0), 8, _local(2025, 9, 8, 2)),  # at the run itself: next month
        (_local(2025, 8, 5, 12, 0), 8, _local(2025, 8, 8, 2)),  # before the day: this month
        (_local(2025, 12, 20, 9, 0), 8, _local(2026, 1, 8, 2)),  # over the year's end
        (_local(2025, 1, 31, 9, 0), 28, _local(2025, 2, 28, 2)),
    ],
)
def test_next_run(now: dt.datetime, day: int, expected: dt.datetime) -> None:
    assert tasks.next_run_at(now.astimezone(dt.UTC), day, "Asia/Shanghai") == expected


@override_settings(TASKS=DB_TASKS)
def test_the_monthly_task_runs_and_schedules_itself_for_the_next_months_day(
    member_shop: Lake, monkeypatch: pytest.MonkeyPatch
) -> None:
    MemberSettings.objects.create(pk=1, run_day=10)
    # guanxi setup: the first run on the next 10th at 02:00 shop time.
    monkeypatch.setattr(tasks, "_now", lambda: _local(2025, 8, 3, 15, 0).astimezone(dt.UTC))
    assert tasks.schedule_monthly() is True
    assert tasks.schedule_monthly() is False  # one waiting is enough
    assert _waiting() == [_local(2025, 8, 10, 2)]
    # The worker runs it on the 10th: it scores the month, then queues the next month's 10th.
    DBTaskResult.objects.all().delete()
    monkeypatch.setattr(tasks, "_now", lambda: _local(2025, 8, 10, 2, 0, 3).astimezone(dt.UTC))
    monkeypatch.setattr(
        member_scores,
        "resolve",
        lambda month=None, as_of=None: (dt.date(2025, 8, 1), dt.date(2025, 7, 31)),
    )
    result = tasks.member_scores_monthly.call()
    assert result == "2025-08: 2"
    assert MemberScore.objects.filter(month=dt.date(2025, 8, 1)).count() == 2
    assert _waiting() == [_local(2025, 9, 10, 2)]
    # A new day in the settings moves the waiting run.
    member_scores.settings_save({"run_day": 20}, user="boss")
    assert _waiting() == [_local(2025, 8, 20, 2)]
