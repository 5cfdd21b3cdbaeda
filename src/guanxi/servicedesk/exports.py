"""The queue as CSV or XLSX (web/exports: safe cells). The subject is always masked in a
file, whoever downloads it: a file travels, and the reveal of personal data is the
profile's audited click, not a download's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.ingest.pii import KnownValues
from guanxi.servicedesk import presenters
from guanxi.servicedesk.labels import SLA_LABELS, STATE_LABELS
from guanxi.servicedesk.models import Ticket
from guanxi.web.exports.xlsx import Column

MAX_ROWS = 50_000  # a queue larger than this is filtered first (the page says so)


def columns() -> list[Column]:
    return [
        Column(_("工单号"), "count", 9),
        Column(_("标题"), "text", 36),
        Column(_("状态"), "text", 12),
        Column(_("级别"), "text", 8),
        Column(_("时效"), "text", 10),
        Column(_("类型"), "text", 8),
        Column(_("问题分类"), "text", 8),
        Column(_("渠道"), "text", 10),
        Column(_("客户编号"), "text", 20),
        Column(_("订单号"), "text", 20),
        Column(_("部门"), "text", 12),
        Column(_("客服组"), "text", 10),
        Column(_("处理人"), "text", 12),
        Column(_("受理时间"), "text", 17),
        Column(_("首次响应"), "text", 17),
        Column(_("解决时间"), "text", 17),
        Column(_("关闭时间"), "text", 17),
        Column(_("重开次数"), "count", 8),
    ]


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rows(tickets: Iterable[Ticket]) -> list[list[Any]]:
    batch = list(tickets)
    known = presenters.known_for([t.customer_key for t in batch])
    out = []
    for t in batch:
        subject = presenters.masked([t.subject], known.get(t.customer_key, KnownValues()))[0]
        out.append(
            [
                t.pk,
                subject,
                str(STATE_LABELS.get(t.state, t.state)),
                t.get_tier_display(),
                str(SLA_LABELS.get(t.sla_state, t.sla_state)),
                t.get_kind_display(),
                t.get_category_display(),
                t.get_channel_display(),
                t.customer_key,
                t.order_id,
                t.department.name if t.department else "",
                t.team,
                t.assignee.agent_id if t.assignee else "",
                _when(t.created_at),
                _when(t.first_response_at),
                _when(t.resolved_at),
                _when(t.closed_at),
                t.reopen_count,
            ]
        )
    return out
