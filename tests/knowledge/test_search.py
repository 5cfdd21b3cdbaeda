"""Search through the database: synonyms, the index rebuilt after a change (version token),
kind filter, deactivated entries left out, suggestions for a ticket."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from guanxi.knowledge import search, services
from guanxi.knowledge.models import Entry, Synonym

pytestmark = pytest.mark.django_db


@pytest.fixture
def corpus() -> dict[str, Entry]:
    """A small knowledge base instead of the starter set (the data migration loads it)."""
    Entry.objects.all().delete()
    Synonym.objects.all().delete()
    Synonym.objects.create(words="快递、物流、包裹")
    Synonym.objects.create(words="退货、退回")
    rows = {
        "ship": ("qa", "发货", "什么时候发货？", "付款后 48 小时内发出。"),
        "track": ("qa", "物流", "物流没有更新", "请提供订单号，我们联系承运商核实。"),
        "return": ("policy", "退换", "七天无理由退货", "签收次日零点起 168 小时内可以退回。"),
        "bargain": ("script", "议价", "议价：太贵了", "已经是活动价，可以领券再省。"),
    }
    return {
        key: Entry.objects.create(kind=k, scene=s, question=q, answer=a)
        for key, (k, s, q, a) in rows.items()
    }


def test_synonyms_find_entries_written_with_another_word(corpus) -> None:
    result = search.search("快递怎么还没到")
    assert [h.id for h in result.hits] == [corpus["track"].id]
    assert result.concepts[0] == ["快递", "包裹", "物流"]
    assert ("物流", True) in result.hits[0].question_parts
    # 退回 finds the policy saying 退货 in its question and 退回 in its answer.
    assert [h.id for h in search.search("退回").hits] == [corpus["return"].id]


def test_the_index_follows_edits_deactivation_and_synonyms(corpus) -> None:
    assert search.search("包邮").hits == []
    entry = corpus["bargain"]
    entry.answer = "已经是活动价，满 99 包邮。"
    entry.save()
    assert [h.id for h in search.search("包邮").hits] == [entry.id]
    services.set_active(entry, False, None)
    assert search.search("包邮").hits == []
    assert search.search("运输").hits == []
    services.replace_synonyms("快递、物流、运输")
    assert [h.id for h in search.search("运输").hits] == [corpus["track"].id]


def test_kind_and_scene_filters(corpus) -> None:
    assert [h.id for h in search.search("发货 退货", kind="policy").hits] == [corpus["return"].id]
    assert [h.id for h in search.search("发货 退货", scene="发货").hits] == [corpus["ship"].id]


def test_suggestions_on_the_ticket_page(corpus, make_user) -> None:
    ticket = SimpleNamespace(subject="要退货", description="衣服不合适，想退回去，运费谁出？")
    about = search.ticket_text(ticket.subject, ticket.description)
    assert [h.id for h in search.suggest(about)] == [corpus["return"].id]
    from django.contrib.auth import get_user_model

    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username=make_user("agent").username)
    html = Template("{% load kb_suggest %}{% kb_suggestions ticket %}").render(
        Context({"ticket": ticket, "request": request})
    )
    assert "七天无理由<mark>退货</mark>" in html
    assert f'action="/knowledge/{corpus["return"].id}/use/"' in html
    assert search.suggest("   ") == []
