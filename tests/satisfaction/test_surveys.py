"""The builder's rules and the templates, distribution to a segment and to one customer
(idempotent), and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from guanxi.satisfaction import dimensions, services, templates_library
from guanxi.satisfaction.models import Invitation, SurveyState
from guanxi.satisfaction.services import SurveyError
from guanxi.segments.services import segment_save
from tests.satisfaction.survey_helpers import T0, customer, open_survey, questions


def test_the_servqual_template_has_the_22_items_in_the_1988_grouping():
    five = templates_library.template("servqual", "five").questions
    ten = templates_library.template("servqual", "ten").questions
    assert len(five) == len(ten) == 22
    by_dimension = {code: sum(q.dimension == code for q in five) for code in dimensions.FIVE}
    # 1–4 tangibles, 5–9 reliability, 10–13 responsiveness, 14–17 assurance, 18–22 empathy.
    assert by_dimension == {
        "tangibles": 4,
        "reliability": 5,
        "responsiveness": 4,
        "assurance": 4,
        "empathy": 5,
    }
    assert {q.dimension for q in ten} <= set(dimensions.TEN)
    assert [dimensions.FIVE_OF[q.dimension] for q in ten] == [q.dimension for q in five]
    assert len({q.text for q in five}) == 22


pytestmark_db = pytest.mark.django_db


@pytestmark_db
def test_templates_become_draft_surveys_with_their_indicators():
    csat = services.create_from_template("csat", "售后回访")
    assert csat.state == SurveyState.DRAFT and csat.kind == "csat"
    assert [q.indicator for q in questions(csat)] == [
        "overall",
        "service",
        "product",
        "logistics",
        "",
    ]
    nps = services.create_from_template("nps", "推荐")
    first = questions(nps)[0]
    assert (first.kind, first.indicator) == ("rating10", "recommend")
    assert first.text == "您有多大可能把本店推荐给朋友或同事？"
    sq = services.create_from_template("servqual", "服务质量", "ten")
    assert sq.dimension_set == "ten" and sq.questions.count() == 22
    assert {q.dimension for q in questions(sq)} <= set(dimensions.TEN)
    model = services.create_from_template("model", "模型")
    assert {"expectation", "product", "service", "value"} <= {q.indicator for q in questions(model)}
    with pytest.raises(SurveyError) as caught:
        services.create_from_template("abc", "x")
    assert caught.value.field == "template"


@pytestmark_db
def test_a_question_is_checked_and_an_open_survey_is_frozen():
    survey = services.create_survey(services.clean_survey("问卷", "", 7, "five"))

    def refused(**fields) -> str:
        with pytest.raises(SurveyError) as caught:
            services.add_question(survey, **fields)
        return caught.value.field

    assert refused(kind="single", text="渠道", choices="淘宝") == "choices"  # one choice
    assert refused(kind="single", text="渠道", choices="淘宝\n淘宝") == "choices"  # duplicate
    assert refused(kind="rating5", text="  ") == "text"
    assert refused(kind="slider", text="x") == "kind"
    assert refused(kind="servqual", text="x", dimension="courtesy") == "dimension"  # a ten
    assert refused(kind="servqual", text="x", dimension="empathy", scale_max=6) == "scale_max"
    assert refused(kind="servqual", text="x", dimension="empathy", importance="0") == "importance"
    assert refused(kind="rating5", text="x", indicator="mood") == "indicator"
    item = services.add_question(
        survey, kind="servqual", text="x", dimension="empathy", scale_max="5", importance="0.25"
    )
    assert (item.scale_max, item.importance) == (5, Decimal("0.250"))
    single = services.add_question(survey, kind="single", text="渠道", choices=" 淘宝 \n\n京东")
    assert single.choices == ["淘宝", "京东"]
    # Move: [item, single] → [single, item].
    services.move_question(single, "up")
    assert [q.pk for q in questions(survey)] == [single.pk, item.pk]
    services.open_survey(survey, T0)
    for change in (
        lambda: services.add_question(survey, kind="text", text="x"),
        lambda: services.update_question(single, kind="text", text="y"),
        lambda: services.delete_question(single),
        lambda: services.move_question(single, "down"),
        lambda: services.delete_draft(survey),
    ):
        with pytest.raises(SurveyError) as caught:
            change()
        assert caught.value.field == "state"


@pytestmark_db
def test_sending_to_a_segment_twice_asks_nobody_twice(make_user):
    zhejiang = [customer(name=f"浙{i}", mobile=f"1381234000{i}", province="浙江") for i in range(3)]
    customer(name="苏一", mobile="13812340009", province="江苏")
    segment = segment_save(name="浙江客户", filters={"provinces": ["浙江"]}, by="t")
    survey = open_survey(link_days=10)
    first = services.send_to_segment(survey, segment, at=T0)
    assert (first.new, first.already) == (3, 0)
    # One more member joins; the second send invites only them.
    late = customer(name="浙3", mobile="13812340003", province="浙江")
    second = services.send_to_segment(survey, segment, at=T0 + dt.timedelta(days=1))
    assert (second.new, second.already) == (1, 3)
    keys = set(Invitation.objects.filter(survey=survey).values_list("customer_key", flat=True))
    assert keys == {c.customer_key for c in [*zhejiang, late]}
    one = Invitation.objects.get(customer_key=late.customer_key)
    assert one.expires_at == T0 + dt.timedelta(days=11) and one.segment == segment
    # One customer by key: already invited → the same invitation, not a second.
    again, created = services.send_to_customer(survey, zhejiang[0].customer_key, at=T0)
    assert not created and again.segment == segment
    with pytest.raises(SurveyError) as caught:
        services.send_to_customer(survey, "nobody", at=T0)
    assert caught.value.field == "customer"
    draft = services.create_from_template("nps", "草稿")
    with pytest.raises(SurveyError) as caught:
        services.send_to_segment(draft, segment)
    assert caught.value.field == "state"


@pytestmark_db
def test_an_invitation_credits_a_ticket_its_agent_and_team():
    from guanxi.accounts.models import Agent
    from guanxi.servicedesk.models import Ticket

    agent = Agent.objects.create(agent_id="a7", name="小美", team="售后组")
    # A bare row: the desk's create_ticket would also triage it (loading the sentiment model).
    ticket = Ticket.objects.create(
        kind="complaint", channel="chat", subject="破损", created_at=T0, assignee=agent
    )
    survey = open_survey()
    who = customer()
    credit = services.Credit(ticket_id=ticket.pk, product_id="p-9")
    inv, created = services.send_to_customer(survey, who.customer_key, credit, at=T0)
    assert created and (inv.ticket_id, inv.agent, inv.team, inv.product_id) == (
        ticket.pk,
        agent,
        "售后组",
        "p-9",
    )
    with pytest.raises(SurveyError) as caught:
        services.send_to_customer(
            open_survey(), who.customer_key, services.Credit(agent_id="zz"), at=T0
        )
    assert caught.value.field == "agent"


@pytestmark_db
def test_the_cli_creates_opens_sends_and_writes_links(tmp_path, capsys):
    who = customer(province="浙江")
    segment = segment_save(name="浙江", filters={"provinces": ["浙江"]}, by="t")
    call_command("surveys", "create", "--template", "nps", "--name", "推荐", "--format", "json")
    created = json.loads(capsys.readouterr().out)
    assert (created["state"], created["questions"]) == ("draft", 2)
    sid = str(created["id"])
    call_command("surveys", "open", sid)
    capsys.readouterr()
    call_command("surveys", "send", sid, "--segment", str(segment.pk), "--format", "json")
    call_command("surveys", "send", sid, "--customer", who.customer_key, "--format", "json")
    out = capsys.readouterr().out.strip().splitlines()
    assert json.loads(out[-2])["new"] == 1 and json.loads(out[-1])["already_invited"] == 1
    target = tmp_path / "links.csv"
    call_command("surveys", "links", sid, "--output", str(target), "--base-url", "https://crm.shop")
    text = target.read_text(encoding="utf-8-sig")
    assert "https://crm.shop/satisfaction/s/" in text and who.customer_key in text
    assert "13812345678" not in text and "王小明" not in text  # masked name, never a phone
    capsys.readouterr()
    call_command("surveys", "list", "--format", "json")
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["invited"] == 1
    for args, option in (
        (["links", sid, "--output", str(tmp_path / "x.txt")], "--output"),
        (["send", sid, "--customer", "nobody"], "--customer"),
        (["open", "999"], "ID"),
        (["close", sid, "--format", "json"], None),
        (["open", sid], "ID"),  # closed now: only a draft opens
    ):
        if option is None:
            call_command("surveys", *args)
            continue
        with pytest.raises(CommandError) as caught:
            call_command("surveys", *args)
        assert caught.value.returncode == 2 and str(caught.value).startswith(option)
