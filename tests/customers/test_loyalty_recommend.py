"""Loyalty's recommend component (推荐意愿) reads the survey answers: each customer's latest
0–10 answer to a question with the indicator "recommend", submitted before the end of the
standing's day (Asia/Shanghai). The shop of ``test_analytics`` (as of 2025-06-30):

| key | answers (UTC)                                   | latest counted | level            |
|-----|-------------------------------------------------|----------------|------------------|
| K1  | 5 on 03-01, then 9 on 06-30 15:00 (23:00 local) | 9              | high (≥ 9)       |
| K2  | 6 on 04-01, then 10 on 06-30 16:30 (07-01 local)| 6              | low (< 7)        |
| K3  | none                                            | –              | unknown          |

K1: frequency high (2) + amount high (2) + recommend high (2) + after-sales high (2) = 8
over 4 known components → 2.0 → high. K2: all four low → 0 → low. An answer without a
customer key counts for no one; a 1–5 rating with the same indicator is not a 0–10 answer.
"""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.customers import standing
from guanxi.customers.models import CustomerStanding
from guanxi.lake import Lake
from guanxi.satisfaction import services
from guanxi.satisfaction.models import Answer, Invitation, Response, Survey
from tests.customers.test_analytics import AS_OF, K1, K2, K3, _lake, _master

pytestmark = pytest.mark.django_db(transaction=True)

OPENED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _survey(name: str) -> Survey:
    survey = services.create_survey(services.clean_survey(name, "", 365, "five"))
    services.add_question(survey, kind="rating10", text="推荐吗？", indicator="recommend")
    services.add_question(survey, kind="rating5", text="推荐吗（五分）？", indicator="recommend")
    return services.open_survey(survey, OPENED)


def _answer(survey: Survey, key: str, score: int, at: str, *, five: int | None = None) -> None:
    if key:
        invitation, _new = services.send_to_customer(survey, key, at=OPENED)
    else:  # an answer that names no customer
        invitation = Invitation.objects.create(
            survey=survey, nonce=f"anon-{Invitation.objects.count()}", channel="link",
            created_at=OPENED, expires_at=OPENED + dt.timedelta(days=365),
        )  # fmt: skip
    submitted = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    response = Response.objects.create(
        survey=survey, invitation=invitation, channel="link", customer_key=key,
        submitted_at=submitted,
    )  # fmt: skip
    ten, rating5 = list(survey.questions.order_by("position", "id"))
    Answer.objects.create(response=response, question=ten, number=score)
    if five is not None:
        Answer.objects.create(response=response, question=rating5, number=five)


def test_recommend_is_the_latest_0_to_10_answer_up_to_the_day(lake: Lake) -> None:
    _master()
    _lake(lake)
    spring, summer = _survey("春季回访"), _survey("夏季回访")
    _answer(spring, K1, 5, "2025-03-01 10:00:00", five=1)
    _answer(summer, K1, 9, "2025-06-30 15:00:00")  # 23:00 in Shanghai: still June 30
    _answer(spring, K2, 6, "2025-04-01 10:00:00")
    _answer(summer, K2, 10, "2025-06-30 16:30:00")  # 00:30 on July 1 in Shanghai: after
    _answer(summer, "", 0, "2025-06-01 10:00:00")  # nobody's: counts for no one
    standing.recompute(AS_OF)

    rows = {s.customer.customer_key: s for s in CustomerStanding.objects.select_related("customer")}
    k1 = rows[K1].loyalty_components
    assert (k1["recommend"]["figure"], k1["recommend"]["level"]) == (9.0, "high")
    assert k1["points"] == 2.0 and rows[K1].loyalty == "high"  # (2 + 2 + 2 + 2) / 4
    k2 = rows[K2].loyalty_components
    assert (k2["recommend"]["figure"], k2["recommend"]["level"]) == (6.0, "low")
    assert k2["points"] == 0.0 and rows[K2].loyalty == "low"
    assert rows[K3].loyalty_components["recommend"]["level"] == "unknown"
