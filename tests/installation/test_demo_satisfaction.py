"""The demo shop's surveys: the invariants the survey services keep, and figures that are
what the module meant (NPS near +30, two SERVQUAL dimensions short of expectation), counted
here by hand from the rows and compared with the dashboard's reading."""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict

import pytest
from django.db.models import Count
from django.utils import timezone

from guanxi.accounts.models import Agent
from guanxi.core.timeutil import Period
from guanxi.customers.models import Customer
from guanxi.installation.demo_satisfaction import demo_satisfaction_create
from guanxi.satisfaction import dashboard_selectors
from guanxi.satisfaction.models import Answer, Invitation, Response, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(lake) -> None:  # an empty lake: the surveys end "now"
    Customer.objects.bulk_create([Customer(customer_key=f"c{i:04d}") for i in range(300)])
    Agent.objects.create(agent_id="kf01", name="小美", team="售前组")
    Agent.objects.create(agent_id="kf05", name="大伟", team="售后组")


def test_demo_surveys_keep_the_invariants_and_mean_what_they_say(customers) -> None:
    started = time.perf_counter()
    counts = demo_satisfaction_create(scale="small", seed=7)
    elapsed = time.perf_counter() - started
    assert demo_satisfaction_create(scale="small", seed=7) == {}  # once only
    assert counts["surveys"] == 4 and Survey.objects.filter(state="open").count() == 4
    # invited: 120 + 160 + 40 + 100 of the 300 customers
    assert counts["invitations"] == Invitation.objects.count() == 420
    assert counts["responses"] == Response.objects.count() > 150
    print(f"demo satisfaction: {counts} in {elapsed:.2f} s")

    # one invitation per customer and survey; one response per invitation; answered_at iff
    dup = Invitation.objects.values("survey", "customer_key").annotate(n=Count("pk"))
    assert max(row["n"] for row in dup) == 1
    for inv in Invitation.objects.select_related("response"):
        has = hasattr(inv, "response")
        assert (inv.answered_at is not None) == has
        if has:
            assert inv.response.submitted_at == inv.answered_at
            assert inv.created_at <= inv.answered_at <= max(inv.expires_at, inv.created_at)
    assert Invitation.objects.filter(channel="phone").exists()
    now = timezone.now()
    expired = Invitation.objects.filter(answered_at__isnull=True, expires_at__lt=now).count()
    assert expired > 0  # some links lapsed unanswered
    # every answer within its scale
    for a in Answer.objects.select_related("question"):
        kind = a.question.kind
        low, high = {"rating5": (1, 5), "rating10": (0, 10), "servqual": (1, 7)}.get(kind, (0, 0))
        if kind == "servqual":
            assert a.expected is not None and 1 <= a.expected <= 7
        if high:
            assert a.number is not None and low <= a.number <= high
        else:
            assert kind == "text" and a.text and a.number is None

    # NPS by hand: % of 9–10 minus % of 0–6 over the recommend answers — meant to be ~+30
    scores = [
        int(n or 0)
        for n in Answer.objects.filter(question__indicator="recommend").values_list(
            "number", flat=True
        )
    ]
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    nps = 100 * (promoters - detractors) / len(scores)
    assert 15 <= nps <= 45, nps

    # SERVQUAL: mean gap (perceived − expected) per dimension; responsiveness and
    # reliability clearly negative, the others near zero
    gaps: dict[str, list[int]] = defaultdict(list)
    for a in Answer.objects.filter(question__kind="servqual").select_related("question"):
        assert a.number is not None and a.expected is not None
        gaps[a.question.dimension].append(a.number - a.expected)
    mean = {d: sum(v) / len(v) for d, v in gaps.items()}
    print(f"NPS {nps:+.1f} over {len(scores)}; SERVQUAL mean gaps {mean}")
    assert set(mean) == {"tangibles", "reliability", "responsiveness", "assurance", "empathy"}
    assert mean["responsiveness"] < -1 and mean["reliability"] < -0.8
    assert mean["tangibles"] > -0.6 and mean["assurance"] > -0.6
    assert sum(1 for a in Survey.objects.get(kind="servqual").questions.all() if a.remedy) >= 2

    # the dashboard's survey figures equal the rows counted by hand over the same period
    days = Period(timezone.localdate() - dt.timedelta(days=60), timezone.localdate())
    board = dashboard_selectors.dashboard(days)
    s = {x.key: x for x in board.sources}
    expect = [
        int(n or 0)
        for n in Answer.objects.filter(question__indicator="expectation").values_list(
            "number", flat=True
        )
    ]
    # 0–10 items: mean × 10
    assert s["survey_expectation"].n == len(expect)
    assert s["survey_expectation"].value == round(10 * sum(expect) / len(expect), 1)
    service = [
        int(n or 0)
        for n in Answer.objects.filter(
            question__indicator__in=["service", "logistics"], question__kind="rating5"
        ).values_list("number", flat=True)
    ]
    # 1–5 items: (r − 1) ÷ 4 × 100, averaged
    assert s["survey_service"].n == len(service)
    assert s["survey_service"].value == round(sum((r - 1) * 25 for r in service) / len(service), 1)
