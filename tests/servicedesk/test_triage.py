"""The service desk's triage wrapper and its panel (no database: an unsaved ticket)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from guanxi.servicedesk import triage
from guanxi.servicedesk.models import Ticket


def test_suggest_on_plain_strings() -> None:
    got = triage.suggest("快递一个星期了还没到，客服也不回")
    assert got.category.value in ("logistics", "service")
    assert got.sentiment.value == "negative"
    assert got.tier.value == "ordinary"
    assert 0 < got.tier.confidence <= 1
    escalated = triage.suggest("我要打315投诉你们")
    assert (escalated.tier.value, str(escalated.tier.label)) == ("escalated", "升级")


def test_suggest_refuses_a_blank_text() -> None:
    with pytest.raises(ValueError, match="text: empty"):
        triage.suggest("  \n")


def _panel(ticket: Ticket) -> str:
    return Template("{% load sd_triage %}{% triage_panel ticket %}").render(
        Context({"ticket": ticket})
    )


def test_the_panel_shows_the_suggestions_and_the_held_out_accuracy() -> None:
    ticket = Ticket(subject="客服很耐心", description="问题很快解决了，谢谢")
    evaluation = triage.accuracy()
    html = _panel(ticket)
    assert "分诊建议" in html
    assert ">正面<" in html and ">服务<" in html
    tier = evaluation.model["tier"].accuracy
    assert f"{tier * 100:.1f}%" in html
    assert f"在 {evaluation.test_rows} 条留出消息上测得" in html
    with translation.override("en"):
        english = _panel(ticket)
    assert "Triage suggestions" in english and ">Positive<" in english


def test_the_panel_of_a_ticket_without_text_says_so() -> None:
    html = _panel(Ticket(subject="", description=""))
    assert "工单没有标题或描述，无法给出建议。" in html


@pytest.mark.django_db
def test_an_agent_accepts_the_suggested_category_and_tier(signed_in, lake) -> None:
    from guanxi.servicedesk import services
    from guanxi.servicedesk.models import Ticket

    ticket = services.create_ticket(
        kind="complaint", channel="chat", subject="我要打315投诉你们", description="快递丢了没人管"
    )
    client = signed_in("mgr")
    page = client.get(f"/servicedesk/{ticket.pk}/").content.decode()
    suggested = triage.suggest("我要打315投诉你们\n快递丢了没人管")
    assert 'id="accept-category"' in page and 'id="accept-tier"' in page
    client.post(
        f"/servicedesk/{ticket.pk}/act/",
        {"action": "classify", "category": suggested.category.value},
    )
    client.post(
        f"/servicedesk/{ticket.pk}/act/",
        {"action": "escalate", "tier": suggested.tier.value, "reason": "采纳分诊建议：升级"},
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.category, ticket.tier) == ("logistics", "escalated")
    page = client.get(f"/servicedesk/{ticket.pk}/").content.decode()
    assert 'id="accept-category"' not in page and 'id="accept-tier"' not in page
