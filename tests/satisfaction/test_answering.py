"""Storing an answer exactly once: validation errors name their questions and nothing is
written; a second submission (stale object, or a race that slips past the check) stores
nothing and is told "used"; phone entries record who keyed them in; text is encrypted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from guanxi.satisfaction import answering, links, services
from guanxi.satisfaction.links import LinkError
from guanxi.satisfaction.models import Answer, Invitation, Response
from tests.satisfaction.survey_helpers import (
    T0,
    customer,
    full_answers,
    invitation,
    open_survey,
    questions,
)

pytestmark = pytest.mark.django_db
T1 = T0 + dt.timedelta(days=1)


def test_a_full_answer_is_stored_once_with_its_values():
    survey = open_survey()
    inv = invitation(survey)
    response = answering.submit(inv, full_answers(survey), at=T1)
    r5, r10, single, multiple, text, sq = questions(survey)
    got = {a.question_id: a for a in response.answers.all()}
    assert got[r5.pk].number == 4 and got[r10.pk].number == 9
    assert got[single.pk].choices == ["京东"]
    assert got[multiple.pk].choices == ["价格", "服务"]  # the question's order, not the click order
    assert (got[sq.pk].expected, got[sq.pk].number) == (6, 5)  # expected 6, perceived 5
    assert got[text.pk].text == "<script>alert(1)</script> 发货快"
    # Encrypted at rest: the column does not hold the words.
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM satisfaction_answer WHERE id = %s", [got[text.pk].pk])
        stored = cursor.fetchone()[0]
    assert "发货快" not in str(stored) and "script" not in str(stored)
    inv.refresh_from_db()
    assert inv.answered_at == T1 and response.customer_key == inv.customer_key
    assert response.channel == "link" and response.entered_by is None


def test_validation_errors_name_every_question_at_fault_and_nothing_is_written():
    survey = open_survey()
    inv = invitation(survey)
    r5, r10, single, multiple, text, sq = questions(survey)
    bad = {
        r5.pk: "6",  # above 5
        r10.pk: "",  # required, missing
        single.pk: "拼多多",  # not a choice
        multiple.pk: ["质量", "赠品"],  # one stray choice
        text.pk: "好" * 1001,  # over the 1000 limit
        sq.pk: ("7", ""),  # perceived missing
    }
    with pytest.raises(answering.AnswerError) as caught:
        answering.submit(inv, bad, at=T1)
    errors = caught.value.errors
    assert set(errors) == {r5.pk, r10.pk, single.pk, multiple.pk, text.pk, sq.pk}
    assert "6" in errors[r5.pk] and "拼多多" in errors[single.pk] and "赠品" in errors[multiple.pk]
    assert "1001" in errors[text.pk]
    assert str(r5.pk) in str(caught.value)  # the message names the question
    assert not Response.objects.exists() and not Answer.objects.exists()
    inv.refresh_from_db()
    assert inv.answered_at is None
    # Optional questions may be left out.
    minimal = {r5.pk: 5, r10.pk: 0, sq.pk: (1, 7)}
    response = answering.submit(inv, minimal, at=T1)
    assert response.answers.count() == 3


def test_a_second_submission_stores_nothing_and_is_told_used():
    survey = open_survey()
    inv = invitation(survey)
    stale = Invitation.objects.get(pk=inv.pk)  # loaded before the first answer
    answering.submit(inv, full_answers(survey), at=T1)
    with pytest.raises(LinkError) as caught:
        answering.submit(stale, full_answers(survey), at=T1)
    assert caught.value.code == "used"
    assert Response.objects.count() == 1 and Answer.objects.count() == 6


def test_the_one_to_one_is_the_last_guard(monkeypatch: pytest.MonkeyPatch):
    """The SQLite path: the row lock is a no-op there, so a racing submission can pass the
    answered check; the one-to-one refuses its response and the whole write rolls back."""
    survey = open_survey()
    inv = invitation(survey)
    answering.submit(inv, full_answers(survey), at=T1)
    Invitation.objects.filter(pk=inv.pk).update(answered_at=None)  # as the racer saw it
    with pytest.raises(LinkError) as caught:
        answering.submit(inv, full_answers(survey), at=T1)
    assert caught.value.code == "used"
    assert Response.objects.count() == 1 and Answer.objects.count() == 6


def test_phone_entry_answers_the_customers_link_and_records_who_keyed_it(make_user):
    from django.contrib.auth import get_user_model

    make_user("agent", username="caller")
    staff = get_user_model().objects.get(username="caller")
    survey = open_survey()
    inv = invitation(survey)  # a link the customer never used
    called = services.phone_invitation(survey, inv.customer_key, by=staff, at=T1)
    assert called == inv  # the same right to answer, not a second one
    response = answering.submit(called, full_answers(survey), "phone", entered_by=staff, at=T1)
    assert (response.channel, response.entered_by) == ("phone", staff)
    with pytest.raises(LinkError):
        links.invitation_of_token(links.token_for(inv), T1)  # the link is used now
    with pytest.raises(services.SurveyError) as caught:
        services.phone_invitation(survey, inv.customer_key, by=staff, at=T1)
    assert caught.value.field == "customer"
    # A customer never invited gets a phone invitation; the link's expiry does not apply.
    other = customer(name="李雷", mobile="13900000000")
    fresh = services.phone_invitation(survey, other.customer_key, by=staff, at=T1)
    assert fresh.channel == "phone"
    answering.submit(
        fresh, full_answers(survey), "phone", entered_by=staff, at=T0 + dt.timedelta(days=60)
    )
    assert Response.objects.filter(channel="phone").count() == 2
