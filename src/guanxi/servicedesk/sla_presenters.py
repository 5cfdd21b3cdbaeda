"""What the SLA pages and the ticket's panel show: business durations in words, the queue's
rows, the panel's two clocks (used vs target as a bar)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from guanxi.servicedesk.models import SlaState, Ticket, Tier
from guanxi.servicedesk.sla_reading import ClockReading, Reading
from guanxi.servicedesk.sla_selectors import AttentionRow, state_label

# The states' words here, with a context: the model's 正常 is also the customer pages'
# "Active" in English; an SLA is "on track".
LABELS = {
    SlaState.ON_TRACK: pgettext_lazy("sla", "正常"),
    SlaState.AT_RISK: pgettext_lazy("sla", "即将超时"),
    SlaState.BREACHED: pgettext_lazy("sla", "已超时"),
    SlaState.PAUSED: pgettext_lazy("sla", "已暂停"),
    SlaState.MET: pgettext_lazy("sla", "已达标"),
}

BADGES = {
    SlaState.ON_TRACK: "ok",
    SlaState.AT_RISK: "risk",
    SlaState.BREACHED: "late",
    SlaState.PAUSED: "paused",
    SlaState.MET: "ok",
}


def duration(seconds: int) -> str:
    """Business time in words, rounded down to the minute: 2 小时 5 分 / 2 h 5 min."""
    minutes = abs(seconds) // 60
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)d 分钟") % {"m": rest}
    if not rest:
        return _("%(h)d 小时") % {"h": hours}
    return _("%(h)d 小时 %(m)d 分") % {"h": hours, "m": rest}


def left_or_over(clock: ClockReading) -> str:
    if clock.remaining_seconds < 0:
        return _("超时 %(d)s") % {"d": duration(clock.remaining_seconds)}
    return _("剩余 %(d)s") % {"d": duration(clock.remaining_seconds)}


def clock_name(name: str) -> str:
    return _("首次响应") if name == "first_response" else _("解决")


def local(instant: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(instant) if instant else None


def tier_label(value: str) -> str:
    return str(Tier(value).label) if value in Tier.values else value


def attention_row(row: AttentionRow) -> dict[str, Any]:
    t = row.ticket
    return {
        "pk": t.pk,
        "url": row.url,
        "tier": t.tier,
        "tier_label": tier_label(t.tier),
        "state_label": state_label(t.state),
        "sla_state": row.reading.state.value,
        "sla_label": str(LABELS[row.reading.state]),
        "badge": BADGES[row.reading.state],
        "assignee": f"{t.assignee.name} ({t.assignee.agent_id})" if t.assignee else "",
        "team": t.team,
        "clock": clock_name(row.clock_name),
        "due": local(row.clock.due),
        "left": left_or_over(row.clock),
        "overdue": row.overdue,
        "remaining_minutes": row.clock.remaining_seconds // 60,
        "used_minutes": row.clock.seconds // 60,
        "target_minutes": row.clock.target_seconds // 60,
    }


def panel_clock(name: str, clock: ClockReading, at_risk_share: float) -> dict[str, Any]:
    share = clock.share
    if clock.breached:
        tone, status = "late", _("已超时")
    elif not clock.running:
        tone, status = "ok", _("已达标")
    elif share >= at_risk_share:
        tone, status = "risk", _("即将超时")
    else:
        tone, status = "ok", _("计时中")
    return {
        "key": name,
        "name": clock_name(name),
        "due": local(clock.due),
        "used": duration(clock.seconds),
        "target": duration(clock.target_seconds),
        "percent": round(100 * share),
        "bar": min(100, round(100 * share)),
        "tone": tone,
        "status": status,
        "left": left_or_over(clock) if clock.running else "",
    }


def panel(ticket: Ticket, reading: Reading, at_risk_share: float, source: str) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "sla_state": reading.state.value,
        "sla_label": str(LABELS[reading.state]),
        "badge": BADGES[reading.state],
        "tier_label": tier_label(ticket.tier),
        "clocks": [
            panel_clock("first_response", reading.first_response, at_risk_share),
            panel_clock("resolution", reading.resolution, at_risk_share),
        ],
        "source": source,
        "unofficial_years": reading.unofficial_years,
        "at_risk_percent": round(100 * at_risk_share),
    }
