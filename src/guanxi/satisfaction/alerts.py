"""Bad-review alerts (差评预警): raised from the lake's reviews and the stored sentiment,
then worked by the shop — an owner, open → in progress → responded → closed, the response
and its time, a ticket of the service desk.

``raise_alerts`` is idempotent: one alert per review (the model's unique constraint, and
``bulk_create(ignore_conflicts=True)``), so running it after every import and from the CLI
never doubles one; an alert already raised keeps its status and owner when the review's
sentiment is scored again. ``upkeep`` is the after-import hook: store the sentiment of new
reviews, then raise their alerts.

Who sees which alert: users with ``accounts.view_shop_figures`` (admin, manager) see all;
an agent sees those they own and those of customers they served in a chat (the same rule
as ``customers.selectors.agent_served``, counted once for the list).
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from typing import Any

import ibis
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi import lake
from guanxi.core.errors import UserInputError
from guanxi.metrics.reviews import BAD_TO
from guanxi.satisfaction import review_facts
from guanxi.satisfaction.models import AlertReason, AlertStatus, ReviewAlert


class AlertError(UserInputError):
    """A change to an alert that cannot be made; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


OVERDUE_AFTER = dt.timedelta(hours=24)
ALL_ALERTS = "accounts.view_shop_figures"
CHANGE = "satisfaction.change_reviewalert"

# Where an alert may go next (back to "in progress" when a closed one needs more work).
MOVES: dict[str, tuple[str, ...]] = {
    AlertStatus.OPEN: (AlertStatus.IN_PROGRESS, AlertStatus.RESPONDED, AlertStatus.CLOSED),
    AlertStatus.IN_PROGRESS: (AlertStatus.RESPONDED, AlertStatus.CLOSED),
    AlertStatus.RESPONDED: (AlertStatus.CLOSED, AlertStatus.IN_PROGRESS),
    AlertStatus.CLOSED: (AlertStatus.IN_PROGRESS,),
}

# Themes → the service desk's three causes (SPEC §4): what a ticket from the alert is about.
TICKET_CATEGORY = {
    "logistics": "logistics",
    "packaging": "logistics",
    "service": "service",
    "quality": "product",
    "as_described": "product",
    "price": "product",
}


def reason_for(rating: int, sentiment: str | None) -> str | None:
    low = rating <= BAD_TO
    negative = sentiment == "negative"
    if low and negative:
        return AlertReason.BOTH
    if low:
        return AlertReason.LOW_RATING
    if negative:
        return AlertReason.NEGATIVE
    return None


@dataclass(frozen=True)
class Raised:
    bad_reviews: int
    created: int


def default_owners(customer_keys: set[str]) -> dict[str, Any]:
    """Who answers a customer's bad review unless a manager says otherwise: the login of the
    agent who last chatted with the customer (they know the case, and the review is often
    about what was promised in that chat). A customer no agent with a login served gets no
    owner: the alert waits in the unassigned queue for a manager to give it one."""
    from django.contrib.auth import get_user_model

    from guanxi.accounts.models import Profile

    shop = lake.get()
    if not customer_keys or not shop.exists("chat_messages"):
        return {}
    m = shop.table("chat_messages")
    m = m.filter((m.sender == "agent") & m.agent_id.notnull())
    # The customers as a table to join (a long IN list would be a query of its own size).
    wanted = ibis.memtable({"wanted_key": sorted(customer_keys)})
    m = m.join(wanted, m.customer_key == wanted.wanted_key).select(
        "customer_key", "agent_id", "sent_at"
    )
    last = shop.arrow(
        m.group_by("customer_key").aggregate(agent_id=m.agent_id.argmax(m.sent_at))
    ).to_pylist()
    logins = dict(
        Profile.objects.filter(user__is_active=True)
        .exclude(agent_id="")
        .values_list("agent_id", "user_id")
    )
    users = get_user_model().objects.in_bulk(set(logins.values()))
    return {
        row["customer_key"]: users[logins[row["agent_id"]]]
        for row in last
        if row["agent_id"] in logins
    }


def raise_alerts() -> Raised:
    """An alert for every bad review of the lake that has none yet."""
    shop = lake.get()
    if not shop.exists("reviews"):
        return Raised(0, 0)
    r = shop.table("reviews")
    s = review_facts.table(shop)
    s = s.select(
        s_platform=s.platform, s_review_id=s.review_id, sentiment=s.sentiment, score=s.score
    )
    j = r.left_join(s, [r.platform == s.s_platform, r.review_id == s.s_review_id])
    j = j.filter((j.rating.cast("int64") <= BAD_TO) | (j.sentiment == "negative"))
    rows = shop.arrow(
        j.select(
            "platform", "review_id", "order_id", "product_id", "customer_key", "created_at",
            "rating", "sentiment", "score",
        )
    ).to_pylist()  # fmt: skip
    existing = set(ReviewAlert.objects.values_list("platform", "review_id"))
    fresh_keys = {
        row["customer_key"]
        for row in rows
        if row["customer_key"] and (row["platform"], row["review_id"]) not in existing
    }
    owners = default_owners(fresh_keys)
    new = []
    for row in rows:
        reason = reason_for(int(row["rating"]), row["sentiment"])
        if reason is None or (row["platform"], row["review_id"]) in existing:
            continue  # (no reason cannot happen: the query keeps bad reviews only)
        new.append(
            ReviewAlert(
                platform=row["platform"],
                review_id=row["review_id"],
                order_id=row["order_id"] or "",
                product_id=row["product_id"] or "",
                customer_key=row["customer_key"] or "",
                reviewed_at=row["created_at"],
                rating=int(row["rating"]),
                sentiment=row["sentiment"] or "",
                score=row["score"],
                reason=reason,
                owner=owners.get(row["customer_key"] or ""),
            )
        )
    # ignore_conflicts: a refresh running at the same time may have raised the same alert.
    ReviewAlert.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return Raised(len(rows), len(new))


def upkeep() -> tuple[review_facts.RefreshResult, Raised]:
    """After an import: the sentiment of new reviews stored, then their alerts raised."""
    refreshed = review_facts.refresh(lake.get())
    return refreshed, raise_alerts()


# -- who sees what ----------------------------------------------------------------------------
def served_customers(agent_id: str) -> set[str]:
    """The customers ``agent_id`` sent a message to (one query for the whole list)."""
    shop = lake.get()
    if not agent_id or not shop.exists("chat_messages"):
        return set()
    m = shop.table("chat_messages")
    m = m.filter((m.sender == "agent") & (m.agent_id == agent_id) & m.customer_key.notnull())
    return set(shop.arrow(m.select("customer_key").distinct())["customer_key"].to_pylist())


def visible(user: Any) -> QuerySet[ReviewAlert]:
    alerts = ReviewAlert.objects.select_related("owner", "ticket")
    if user.has_perm(ALL_ALERTS):
        return alerts
    profile = getattr(user, "guanxi_profile", None)
    agent_id = getattr(profile, "agent_id", "") or ""
    return alerts.filter(Q(owner=user) | Q(customer_key__in=served_customers(agent_id)))


def owners() -> QuerySet[Any]:
    """Active users who may work alerts (``satisfaction.change_reviewalert``)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    perm = Permission.objects.get(
        codename="change_reviewalert", content_type__app_label="satisfaction"
    )
    users = get_user_model().objects.filter(is_active=True)
    return (
        users.filter(Q(is_superuser=True) | Q(user_permissions=perm) | Q(groups__permissions=perm))
        .distinct()
        .order_by("username")
    )


# -- working an alert -------------------------------------------------------------------------
def _locked(alert_id: int) -> ReviewAlert:
    return ReviewAlert.objects.select_for_update().get(pk=alert_id)


@transaction.atomic
def assign(alert_id: int, owner_id: int | None) -> ReviewAlert:
    alert = _locked(alert_id)
    if owner_id is None:
        alert.owner = None
    else:
        found = owners().filter(pk=owner_id).first()
        if found is None:
            raise AlertError(_("负责人：该用户不存在或无权处理差评预警，请从列表中选择。"), "owner")
        alert.owner = found
    alert.save(update_fields=["owner", "updated_at"])
    return alert


@transaction.atomic
def move(
    alert_id: int, status: str, *, response: str = "", at: dt.datetime | None = None
) -> ReviewAlert:
    """Move to ``status``; "responded" needs the response text (and stamps its time)."""
    alert = _locked(alert_id)
    if status not in AlertStatus.values:
        raise AlertError(_("状态：未知的状态，请从列表中选择。"), "status")
    if status != alert.status and status not in MOVES[alert.status]:
        raise AlertError(
            _("状态：不能从“%(old)s”改为“%(new)s”。")
            % {"old": alert.get_status_display(), "new": AlertStatus(status).label},
            "status",
        )
    response = response.strip()
    if status == AlertStatus.RESPONDED and not (response or alert.response):
        raise AlertError(_("回复内容：标记为已回复前，请填写给买家的回复。"), "response")
    if response:
        alert.response = response  # a draft while in progress, or the reply itself
    # The clock stops at the first response sent (a later edit keeps the first time); a
    # draft saved "in progress" is not a response yet.
    sent = status == AlertStatus.RESPONDED or (status == AlertStatus.CLOSED and alert.response)
    if sent and alert.responded_at is None:
        alert.responded_at = at or timezone.now()
    alert.status = status
    alert.save(update_fields=["status", "response", "responded_at", "updated_at"])
    return alert


def create_ticket(alert_id: int, *, by: Any, themes: tuple[str, ...] = ()) -> ReviewAlert:
    """A complaint ticket of the service desk for the review (once: an alert with a ticket
    keeps it). The category follows the review's first theme that maps to one."""
    from guanxi.servicedesk import services as desk
    from guanxi.servicedesk.services import TicketError

    with transaction.atomic():
        alert = _locked(alert_id)
        if alert.ticket_id is not None:
            return alert
        category = next((TICKET_CATEGORY[t] for t in themes if t in TICKET_CATEGORY), "")
        subject = _("差评 %(stars)s 星：商品 %(product)s") % {
            "stars": alert.rating,
            "product": alert.product_id or "—",
        }
        common = {
            "kind": "complaint",
            "channel": "manual",
            "subject": subject,
            "description": _("来自差评预警 %(platform)s:%(review)s。")
            % {"platform": alert.platform, "review": alert.review_id},
            "platform": alert.platform,
            "product_id": alert.product_id,
            "category": category,
            "by": by,
        }
        try:
            ticket = desk.create_ticket(
                **common, customer_key=alert.customer_key, order_id=alert.order_id
            )
        except TicketError:
            # The order or the customer is not (or no longer) known to the shop: the ticket
            # is still worth having, about the product and the review.
            ticket = desk.create_ticket(**common)
        alert.ticket = ticket
        if alert.status == AlertStatus.OPEN:
            alert.status = AlertStatus.IN_PROGRESS
        alert.save(update_fields=["ticket", "status", "updated_at"])
    return alert


# -- response tracking ------------------------------------------------------------------------
@dataclass(frozen=True)
class Tracking:
    total: int
    open: int  # not yet responded nor closed (open or in progress)
    overdue: int  # of those, raised more than 24 h ago
    responded: int
    median_hours: float | None  # raised → responded, over the responded ones


def tracking(alerts: QuerySet[ReviewAlert], now: dt.datetime | None = None) -> Tracking:
    """Response figures over ``alerts``. The clock starts when the alert is raised (the
    shop cannot answer a review before it is imported)."""
    now = now or timezone.now()
    waiting = alerts.filter(status__in=[AlertStatus.OPEN, AlertStatus.IN_PROGRESS])
    waiting = waiting.filter(responded_at__isnull=True)
    pairs = alerts.filter(responded_at__isnull=False).values_list("created_at", "responded_at")
    times = [(r - c).total_seconds() / 3600 for c, r in pairs if c is not None and r is not None]
    return Tracking(
        total=alerts.count(),
        open=waiting.count(),
        overdue=waiting.filter(created_at__lt=now - OVERDUE_AFTER).count(),
        responded=len(times),
        median_hours=round(statistics.median(times), 2) if times else None,
    )
