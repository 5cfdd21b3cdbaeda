"""The survey pages through the test client: the builder from a template to an open survey,
sending to a segment, the public answer page (errors beside the questions, a stored
``<script>`` escaped, refusals as 404/410 pages), the phone entry and who may do what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guanxi.satisfaction import answering, links
from guanxi.satisfaction.models import Invitation, Response, Survey
from guanxi.segments.services import segment_save
from tests.customers.helpers import login
from tests.satisfaction.survey_helpers import (
    customer,
    full_answers,
    invitation,
    open_survey,
    questions,
)

pytestmark = pytest.mark.django_db


def _post_answers(client: Client, url: str, survey: Survey, **override: str):
    r5, r10, single, multiple, text, sq = questions(survey)
    data: dict[str, str | list[str]] = {
        f"q{r5.pk}": "5",
        f"q{r10.pk}": "10",
        f"q{single.pk}": "淘宝",
        f"q{multiple.pk}": ["质量"],
        f"q{text.pk}": "<script>alert('x')</script>很好",
        f"q{sq.pk}_e": "7",
        f"q{sq.pk}_p": "6",
    }
    data.update(override)
    return client.post(url, data)


def test_build_open_and_send_through_the_pages(client: Client, make_user):
    login(client, make_user, "manager")
    response = client.post(
        reverse("satisfaction:survey_new"),
        {"template": "csat", "name": "", "dimension_set": "five"},
    )
    assert response.status_code == 400 and b'data-error-for="name"' in response.content
    response = client.post(
        reverse("satisfaction:survey_new"),
        {"template": "csat", "name": "六月回访", "dimension_set": "five"},
    )
    survey = Survey.objects.get(name="六月回访")
    assert response.status_code == 302 and survey.questions.count() == 5
    detail = reverse("satisfaction:survey", args=[survey.pk])
    bad = client.post(
        reverse("satisfaction:question_add", args=[survey.pk]),
        {"kind": "multiple", "text": "喜欢什么", "choices": "价格"},
    )
    assert bad.status_code == 400 and b'data-error-for="choices"' in bad.content
    client.post(
        reverse("satisfaction:question_add", args=[survey.pk]),
        {"kind": "multiple", "text": "喜欢什么", "choices": "价格\n质量", "required": "on"},
    )
    assert survey.questions.count() == 6
    client.post(reverse("satisfaction:survey_open", args=[survey.pk]))
    survey.refresh_from_db()
    assert survey.state == "open"
    # Frozen: the edit page refuses.
    last = questions(survey)[-1]
    frozen = client.post(
        reverse("satisfaction:question_edit", args=[survey.pk, last.pk]),
        {"kind": "text", "text": "改了"},
    )
    assert frozen.status_code == 400 and b'data-error-for="state"' in frozen.content
    people = [customer(name=f"客户{i}", mobile=f"1390000000{i}", province="浙江") for i in (1, 2)]
    segment = segment_save(name="浙江", filters={"provinces": ["浙江"]}, by="t")
    for expected in ("2", "0"):
        response = client.post(
            reverse("satisfaction:send_segment", args=[survey.pk]),
            {"segment": segment.pk},
            follow=True,
        )
        assert f"发出 {expected} 份新邀请".encode() in response.content
    page = client.get(detail)
    html = page.content.decode()
    assert html.count('data-status="sent"') == 2 and 'id="count-invited">2<' in html
    assert "13900000001" not in html and "客户1" not in html  # masked names only
    csv = client.get(reverse("satisfaction:links_export", args=[survey.pk]) + "?format=csv")
    text = csv.content.decode("utf-8-sig")
    assert text.count("http://testserver/satisfaction/s/") == 2
    assert people[0].customer_key in text and "13900000001" not in text
    xlsx = client.get(reverse("satisfaction:links_export", args=[survey.pk]) + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_public_page_validates_stores_once_and_escapes(client: Client):
    survey = open_survey()
    inv = invitation(survey, at=timezone.now())
    url = links.path_for(inv)
    page = client.get(url)
    assert page.status_code == 200 and "客服回复快" in page.content.decode()
    r5 = questions(survey)[0]
    bad = _post_answers(client, url, survey, **{f"q{r5.pk}": ""})
    html = bad.content.decode()
    assert bad.status_code == 400 and f'data-error-for="q{r5.pk}"' in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html  # kept, escaped
    assert "<script>alert" not in html
    done = _post_answers(client, url, survey)
    assert done.status_code == 200 and b'id="answer-thanks"' in done.content
    assert Response.objects.count() == 1
    again = _post_answers(client, url, survey)
    assert again.status_code == 410 and b'data-code="used"' in again.content
    assert Response.objects.count() == 1


def test_refusals_are_pages_with_their_status(client: Client):
    survey = open_survey()
    inv = invitation(survey, at=timezone.now())
    token = links.token_for(inv)
    tampered = client.get(reverse("satisfaction:answer", args=[token[:-2] + "zz"]))
    assert tampered.status_code == 404 and b'data-code="tampered"' in tampered.content
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    expired = client.get(reverse("satisfaction:answer", args=[token]))
    assert expired.status_code == 410 and b'data-code="expired"' in expired.content
    client.cookies["django_language"] = "en"
    expired_en = client.get(reverse("satisfaction:answer", args=[token]))
    assert b"This link has expired" in expired_en.content


def test_staff_pages_escape_what_customers_wrote(client: Client, make_user):
    survey = open_survey()
    answering.submit(invitation(survey, at=timezone.now()), full_answers(survey))
    login(client, make_user, "manager")
    html = client.get(reverse("satisfaction:survey", args=[survey.pk])).content.decode()
    assert "<script>" not in html and 'data-status="answered"' in html


def test_who_may_do_what(client: Client, make_user):
    survey = open_survey()
    who = customer()
    login(client, make_user, "agent", agent_id="kf1")
    detail = client.get(reverse("satisfaction:survey", args=[survey.pk]))
    assert detail.status_code == 200 and b"invitation-table" not in detail.content
    assert client.get(reverse("satisfaction:links_export", args=[survey.pk])).status_code == 403
    # An agent keys in a phone interview only for a customer they served (none here).
    r5, r10, *_rest, sq = questions(survey)
    data = {
        "customer": who.customer_key,
        f"q{r5.pk}": "4",
        f"q{r10.pk}": "8",
        f"q{sq.pk}_e": "5",
        f"q{sq.pk}_p": "5",
    }
    refused = client.post(reverse("satisfaction:phone_entry", args=[survey.pk]), data)
    assert refused.status_code == 400 and b'data-error-for="customer"' in refused.content
    assert not Response.objects.exists()
    client.logout()
    login(client, make_user, "manager")
    missing = client.post(
        reverse("satisfaction:phone_entry", args=[survey.pk]), {**data, f"q{r10.pk}": ""}
    )
    assert missing.status_code == 400 and f'data-error-for="q{r10.pk}"'.encode() in missing.content
    # Refused answers leave no phone invitation behind (it would lower the response rate).
    assert not Invitation.objects.filter(survey=survey).exists()
    saved = client.post(reverse("satisfaction:phone_entry", args=[survey.pk]), data)
    assert saved.status_code == 302
    response = Response.objects.get()
    assert response.channel == "phone" and response.entered_by is not None
    assert response.entered_by.get_username() == "manager1"
    client.logout()
    login(client, make_user, "marketing")
    assert client.get(reverse("satisfaction:phone_entry", args=[survey.pk])).status_code == 403
    assert client.post(reverse("satisfaction:survey_delete", args=[survey.pk])).status_code == 403


def test_a_refusal_for_the_surveys_state_is_said_as_a_flash(client: Client, make_user):
    login(client, make_user, "manager")
    survey = open_survey()
    response = client.post(
        reverse("satisfaction:question_add", args=[survey.pk]),
        {"kind": "text", "text": "新题"},
        follow=True,
    )
    assert b"flash error" in response.content and "只有草稿可以修改".encode() in response.content
    assert survey.questions.count() == 6
