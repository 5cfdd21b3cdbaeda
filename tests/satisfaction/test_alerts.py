"""Bad-review alerts: raised once per review with the right reason, worked through the
queue (owner, status with the response, ticket, reveal audited), the response-tracking
figures by hand, who sees which alert, the escaped review text and the exports.

The sentiment is a fake here (``_fake``: negative when the text says 差 or 不太好), so the
reasons are known by hand; ``test_reviews`` checks the stored results against the model."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from guanxi.lake import Lake
from guanxi.satisfaction import alerts, sentiment_service
from guanxi.satisfaction.models import AlertStatus, ReviewAlert
from guanxi.satisfaction.sentiment_service import SentimentResult
from guanxi.stats import review_themes
from tests.factories import login
from tests.metrics.test_reviews import write_reviews

pytestmark = pytest.mark.django_db

TEXTS = {
    "r1": "质量很好，物流也快",
    "r2": "客服很耐心，谢谢",
    "r3": "<script>alert(1)</script>物流太慢了，包装破损",  # 2★, not negative → low_rating
    "r4": "一般般吧",  # 3★, neutral → no alert
    "r5": "质量太差，物流慢",  # 1★ and negative → both
    "r6": "不太好，价格贵",  # 4★ but negative → negative
    "r7": "好评",
}


def _fake(texts):
    return [
        SentimentResult(
            "negative" if ("差" in t or "不太好" in t) else "positive",
            0.1 if ("差" in t or "不太好" in t) else 0.9,
            tuple(review_themes.themes(t)),
        )
        for t in texts
    ]


@pytest.fixture
def shop(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> Lake:
    monkeypatch.setattr(sentiment_service, "classify", _fake)
    write_reviews(lake, texts=TEXTS)
    alerts.upkeep()
    return lake


def _alert(review_id: str) -> ReviewAlert:
    return ReviewAlert.objects.get(review_id=review_id)


def test_alerts_raised_once_with_their_reasons(shop: Lake) -> None:
    assert dict(ReviewAlert.objects.values_list("review_id", "reason")) == {
        "r3": "low_rating",
        "r5": "both",
        "r6": "negative",
    }
    r5 = _alert("r5")
    assert (r5.rating, r5.product_id, r5.order_id, r5.sentiment) == (1, "P1", "o-r5", "negative")
    ReviewAlert.objects.filter(pk=r5.pk).update(status=AlertStatus.IN_PROGRESS)
    refreshed, raised = alerts.upkeep()
    assert (refreshed.classified, raised.bad_reviews, raised.created) == (0, 3, 0)
    assert ReviewAlert.objects.count() == 3 and _alert("r5").status == AlertStatus.IN_PROGRESS


def test_tracking_by_hand(shop: Lake) -> None:
    now = timezone.now()
    h = dt.timedelta(hours=1)
    # r3 raised 30 h ago, no response → open and overdue; r5 raised 2 h ago → open only;
    # r6 raised 10 h ago, responded 6 h ago → 4 h. A fourth, raised 50 h ago and responded
    # 40 h ago → 10 h. Median of 4 h and 10 h = 7.0 h.
    ReviewAlert.objects.filter(review_id="r3").update(created_at=now - 30 * h)
    ReviewAlert.objects.filter(review_id="r5").update(created_at=now - 2 * h)
    ReviewAlert.objects.filter(review_id="r6").update(
        created_at=now - 10 * h, responded_at=now - 6 * h, status=AlertStatus.RESPONDED
    )
    extra = ReviewAlert.objects.create(
        platform="jd", review_id="x", reviewed_at=now, rating=1, reason="low_rating",
        status=AlertStatus.CLOSED,
    )  # fmt: skip
    ReviewAlert.objects.filter(pk=extra.pk).update(
        created_at=now - 50 * h, responded_at=now - 40 * h
    )
    t = alerts.tracking(ReviewAlert.objects.all(), now=now)
    assert (t.total, t.open, t.overdue, t.responded, t.median_hours) == (4, 2, 1, 2, 7.0)


def test_an_alert_page_marks_overdue_as_the_figures_count_it(
    client: Client, make_user, shop: Lake
) -> None:
    """Waiting 30 h without a reply: overdue. Closed without a reply: not overdue."""
    login(client, make_user, "manager")
    r3 = _alert("r3")
    ReviewAlert.objects.filter(pk=r3.pk).update(created_at=timezone.now() - dt.timedelta(hours=30))
    page = client.get(f"/satisfaction/reviews/alerts/{r3.pk}/").content.decode()
    assert 'class="badge overdue"' in page
    ReviewAlert.objects.filter(pk=r3.pk).update(status=AlertStatus.CLOSED)
    page = client.get(f"/satisfaction/reviews/alerts/{r3.pk}/").content.decode()
    assert 'class="badge overdue"' not in page


def test_queue_shows_the_text_escaped_and_filters(client: Client, make_user, shop: Lake) -> None:
    login(client, make_user, "manager")
    page = client.get("/satisfaction/reviews/alerts/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert page.count('<tr data-alert="') == 3
    negative = client.get("/satisfaction/reviews/alerts/?reason=negative").content.decode()
    assert negative.count('<tr data-alert="') == 1 and f'data-alert="{_alert("r6").pk}"' in negative
    detail = client.get(f"/satisfaction/reviews/alerts/{_alert('r3').pk}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;物流太慢了" in detail
    assert "<script>alert(1)" not in detail
    bad = client.get("/satisfaction/reviews/alerts/?start=2024-06-01").content.decode()
    assert 'id="filter-errors"' in bad and "同时填写开始日期和结束日期" in bad
    # Exports: no customer key, no order, no text.
    csv = client.get("/satisfaction/reviews/alerts/export?status=all&format=csv")
    body = csv.content.decode("utf-8-sig")
    assert "r3" in body and "c-r3" not in body and "o-r3" not in body and "script" not in body
    xlsx = client.get("/satisfaction/reviews/alerts/export")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_working_an_alert(client: Client, make_user, shop: Lake) -> None:
    login(client, make_user, "manager")
    agent = make_user("agent", username="kf", agent_id="kf1")
    agent_user = get_user_model().objects.get(username=agent.username)
    alert = _alert("r5")
    act = f"/satisfaction/reviews/alerts/{alert.pk}/action"
    client.post(act, {"action": "assign", "owner": str(agent_user.pk)})
    assert _alert("r5").owner == agent_user
    # "Responded" without a response is refused, naming the field; nothing changes.
    page = client.post(act, {"action": "move", "status": "responded"}, follow=True)
    assert "回复内容" in page.content.decode() and _alert("r5").status == AlertStatus.OPEN
    client.post(
        act, {"action": "move", "status": "responded", "response": "已补发，请拨打13812345678"}
    )
    alert = _alert("r5")
    assert alert.status == AlertStatus.RESPONDED and alert.responded_at is not None
    masked = client.get(f"/satisfaction/reviews/alerts/{alert.pk}/").content.decode()
    assert "13812345678" not in masked and "已补发" in masked
    revealed = client.post(f"/satisfaction/reviews/alerts/{alert.pk}/reveal").content.decode()
    assert "13812345678" in revealed
    from guanxi.core.models import AuditEntry

    assert AuditEntry.objects.filter(action="reveal", fields="review_alert.response").count() == 1
    # A move the workflow does not allow (responded → open) is refused.
    client.post(act, {"action": "move", "status": "open"})
    assert _alert("r5").status == AlertStatus.RESPONDED
    # A ticket, once: the customer and order are unknown to this shop, so the ticket is
    # about the product (the fallback); a second click keeps the first ticket.
    client.post(act, {"action": "ticket"})
    ticket = _alert("r5").ticket
    assert ticket is not None and ticket.kind == "complaint" and ticket.product_id == "P1"
    assert ticket.category == "product"  # 质量 → quality → product
    client.post(act, {"action": "ticket"})
    assert _alert("r5").ticket_id == ticket.pk
    detail = client.get(f"/satisfaction/reviews/alerts/{alert.pk}/").content.decode()
    assert f"/servicedesk/{ticket.pk}/" in detail


def test_agents_see_their_own_alerts_and_marketing_none(
    client: Client, make_user, shop: Lake
) -> None:
    creds = make_user("agent", username="kf", agent_id="kf1")
    user = get_user_model().objects.get(username=creds.username)
    ReviewAlert.objects.filter(review_id="r6").update(owner=user)
    assert client.login(username=creds.username, password=creds.password)
    page = client.get("/satisfaction/reviews/alerts/").content.decode()
    assert page.count('<tr data-alert="') == 1  # r6 only (served no one in a chat)
    assert client.get(f"/satisfaction/reviews/alerts/{_alert('r3').pk}/").status_code == 404
    api = client.get("/api/satisfaction/reviews/alerts").json()
    assert [a["review_id"] for a in api["alerts"]] == ["r6"]
    # The shop-wide analytics are not an agent's (as elsewhere: no shop figures) ...
    assert client.get("/satisfaction/reviews/").status_code == 403
    client.logout()
    # ... and the alerts not marketing's, which reads the analytics (results permission).
    login(client, make_user, "marketing")
    assert client.get("/satisfaction/reviews/alerts/").status_code == 403
    assert client.get("/satisfaction/reviews/").status_code == 200


def test_negative_drivers_of_a_product_by_hand(lake: Lake, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from guanxi.core.timeutil import Period
    from guanxi.satisfaction import review_selectors

    monkeypatch.setattr(sentiment_service, "classify", _fake)
    at = dt.datetime(2024, 6, 10, 4, tzinfo=dt.UTC)
    rows = [("a", at, "P1", 1), ("b", at, "P1", 2), ("c", at, "P1", 5), ("d", at, "P1", 5)]
    texts = {"a": "物流太慢", "b": "物流太慢，包装破损", "c": "物流很快", "d": "质量好"}
    write_reviews(lake, rows, texts=texts)
    alerts.upkeep()
    found = review_selectors.negative_drivers(Period(dt.date(2024, 6, 1), dt.date(2024, 6, 30)))
    (p1,) = found
    assert (p1["product_id"], p1["bad"], p1["others"]) == ("P1", 2, 2)
    # Bad N = 2 (a, b), others M = 2 (c, d). 太慢: a = 2, b = 0 →
    # ln(2.5/0.5) − ln(0.5/2.5) = 1.6094 + 1.6094 = 3.2189. 物流: a = 2, b = 1 →
    # ln(2.5/0.5) − ln(1.5/1.5) = 1.6094. 包装, 破损: one bad review only (< 2) → out.
    assert [(d.word, d.negative, d.others, d.log_odds) for d in p1["drivers"]] == [
        ("太慢", 2, 0, 3.2189),
        ("物流", 2, 1, 1.6094),
    ]


def test_a_draft_is_not_a_response_and_the_cli_refreshes(lake: Lake, monkeypatch) -> None:
    import json
    from io import StringIO

    from django.core.management import call_command

    monkeypatch.setattr(sentiment_service, "classify", _fake)
    write_reviews(lake, texts=TEXTS)
    out = StringIO()
    call_command("reviews", "alerts", "--refresh", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["refresh"] == {
        "reviews": 7, "classified": 7, "distinct_texts": 7, "bad_reviews": 3, "alerts_created": 3,
    }  # fmt: skip
    assert (data["alerts"]["total"], data["alerts"]["open"]) == (3, 3)
    r6 = _alert("r6")
    alerts.move(r6.pk, AlertStatus.IN_PROGRESS, response="草稿")
    assert _alert("r6").responded_at is None and _alert("r6").response == "草稿"
    alerts.move(r6.pk, AlertStatus.RESPONDED)  # the draft is the response now
    first = _alert("r6").responded_at
    assert first is not None
    alerts.move(r6.pk, AlertStatus.IN_PROGRESS)
    alerts.move(r6.pk, AlertStatus.RESPONDED, response="更正后的回复")
    assert _alert("r6").responded_at == first  # time to respond counts the first reply


def test_an_alert_goes_to_the_agent_who_last_served_the_customer(
    lake: Lake, make_user, monkeypatch: pytest.MonkeyPatch
) -> None:
    """c-r5 chatted with kf1, later with kf2 (both have logins) → kf2's login owns r5's alert;
    c-r3 chatted only with kf9, who has no login → r3 waits unassigned; c-r6 never chatted."""
    from tests.factories import chats_table

    monkeypatch.setattr(sentiment_service, "classify", _fake)
    make_user("agent", username="kf1", agent_id="kf1")
    make_user("agent", username="kf2", agent_id="kf2")
    lake.write(
        "chat_messages",
        chats_table(
            [
                ("s1", "c-r5", "agent", "kf1", "2024-06-01 10:00:00"),
                ("s2", "c-r5", "agent", "kf2", "2024-06-03 10:00:00"),
                ("s2", "c-r5", "customer", None, "2024-06-03 10:05:00"),
                ("s3", "c-r3", "agent", "kf9", "2024-06-02 10:00:00"),
            ]
        ),
    )
    write_reviews(lake, texts=TEXTS)
    alerts.upkeep()
    owners = {a.review_id: a.owner.username if a.owner else None for a in ReviewAlert.objects.all()}
    assert owners == {"r3": None, "r5": "kf2", "r6": None}
