"""PIPL and surveys: the access export lists the customer's survey answers in their own
words; the erasure wipes those words and the shop's replies to their reviews, and keeps the
scores (they still count in the results)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from guanxi.lake import Lake
from guanxi.privacy import selectors, services
from guanxi.satisfaction.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ReviewAlert,
    Survey,
)
from tests.customers.helpers import KEY, customer

pytestmark = pytest.mark.django_db

AT = dt.datetime(2025, 6, 2, 3, 0, tzinfo=dt.UTC)


def _answered(key: str, score: int, text: str) -> Response:
    survey, _ = Survey.objects.get_or_create(name="售后回访", kind="nps")
    nps, _ = Question.objects.get_or_create(
        survey=survey, position=1, kind="rating10", text="推荐意愿", indicator="recommend"
    )
    why, _ = Question.objects.get_or_create(survey=survey, position=2, kind="text", text="原因")
    invitation = Invitation.objects.create(
        survey=survey,
        nonce=f"n-{key}",
        channel="link",
        customer_key=key,
        created_at=AT,
        expires_at=AT + dt.timedelta(days=14),
        answered_at=AT,
    )
    response = Response.objects.create(
        survey=survey, invitation=invitation, channel="link", customer_key=key, submitted_at=AT
    )
    Answer.objects.create(response=response, question=nps, number=score)
    Answer.objects.create(response=response, question=why, text=text)
    return response


def test_access_export_lists_the_survey_answers_in_the_customers_words() -> None:
    person = customer()
    _answered(KEY, 9, "发货快，请联系我 13800001234")
    _answered("c1111111111111111", 3, "别人的回答")
    rows = json.loads(selectors.export_json(selectors.access_export(person)))["crm"][
        "survey_answers"
    ]
    assert [(r["survey"], r["question"], r["number"], r["text"]) for r in rows] == [
        ("售后回访", "推荐意愿", "9", ""),
        ("售后回访", "原因", "", "发货快，请联系我 13800001234"),
    ]


def test_access_export_lists_the_shops_replies_to_their_reviews() -> None:
    person = customer()
    ReviewAlert.objects.create(
        platform="taobao",
        review_id="r1",
        customer_key=KEY,
        reviewed_at=AT,
        rating=1,
        reason="low_rating",
        status="responded",
        response="已补发，请查收",
        responded_at=AT,
    )
    rows = json.loads(selectors.export_json(selectors.access_export(person)))["crm"][
        "review_replies"
    ]
    assert [(r["review_id"], r["rating"], r["response"]) for r in rows] == [
        ("r1", "1", "已补发，请查收")
    ]


def test_erasure_wipes_the_words_and_keeps_the_scores(lake: Lake) -> None:
    person = customer()
    mine = _answered(KEY, 9, "请回电 13800001234")
    other = _answered("c1111111111111111", 2, "太慢了")
    ReviewAlert.objects.create(
        platform="taobao",
        review_id="r1",
        customer_key=KEY,
        reviewed_at=AT,
        rating=1,
        reason="low_rating",
        response="已电话联系张三",
    )
    request = services.request_open(
        kind="erasure", customer=person, received_on=dt.date(2025, 6, 3), by="manager1"
    )
    services.customer_erase(customer=person, request=request, by="manager1")

    kept = {a.question.kind: a for a in Answer.objects.filter(response=mine)}
    assert kept["rating10"].number == 9  # the score still counts
    assert kept["text"].text == ""  # the words are gone
    assert Answer.objects.get(response=other, question__kind="text").text == "太慢了"
    assert ReviewAlert.objects.get().response == ""
