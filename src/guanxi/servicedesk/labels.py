"""Labels of ticket states and SLA states on the desk's pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

from guanxi.servicedesk.models import SlaState, State

# The pages' own words for states and SLA states: the model's labels share msgids with
# other pages' words ("处理中", "正常") whose English means something else there.
STATE_LABELS: dict[str, Any] = {
    State.RECEIVED: pgettext_lazy("ticket state", "已受理"),
    State.CLASSIFIED: pgettext_lazy("ticket state", "已分类"),
    State.IN_PROGRESS: pgettext_lazy("ticket state", "处理中"),
    State.WAITING: pgettext_lazy("ticket state", "等待客户"),
    State.RESOLVED: pgettext_lazy("ticket state", "已解决"),
    State.FEEDBACK: pgettext_lazy("ticket state", "已反馈"),
    State.CLOSED: pgettext_lazy("ticket state", "已关闭"),
    State.REOPENED: pgettext_lazy("ticket state", "已重开"),
}
SLA_LABELS: dict[str, Any] = {
    SlaState.ON_TRACK: pgettext_lazy("sla state", "正常"),
    SlaState.AT_RISK: pgettext_lazy("sla state", "即将超时"),
    SlaState.BREACHED: pgettext_lazy("sla state", "已超时"),
    SlaState.PAUSED: pgettext_lazy("sla state", "已暂停"),
    SlaState.MET: pgettext_lazy("sla state", "已达标"),
}
STATE_CHOICES = [(value, STATE_LABELS[value]) for value in State.values]
