"""The SLA pages: the at-risk and breached queue (``servicedesk.view_ticket``; an agent sees
the tickets of their own and their team's queue, ``servicedesk.view_all_tickets`` every
queue) with its CSV/XLSX export, and the targets with the service hours
(``servicedesk.change_routing``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.servicedesk import sla, sla_presenters, sla_selectors
from guanxi.servicedesk.sla_forms import SlaTargetsForm
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import Column, Sheet, workbook

VIEW = "servicedesk.view_ticket"
EDIT = "servicedesk.change_routing"


def _which(request: HttpRequest) -> str:
    which = request.GET.get("which", "all")
    return which if which in sla_selectors.WHICH else "all"


@login_required
@permission_required(VIEW, raise_exception=True)
def sla_list(request: HttpRequest) -> HttpResponse:
    which = _which(request)
    now = timezone.now()
    found, total = sla_selectors.attention(request.user, now, which)
    rows = [sla_presenters.attention_row(r) for r in found[: sla_selectors.LIST_LIMIT]]
    every, _n = (found, total) if which == "all" else sla_selectors.attention(request.user, now)
    context = {
        "nav": "servicedesk",
        "rows": rows,
        "total": total,
        "limit": sla_selectors.LIST_LIMIT,
        "which": which,
        "breached": sum(1 for r in every if r.reading.state == "breached"),
        "at_risk": sum(1 for r in every if r.reading.state == "at_risk"),
        "can_edit": request.user.has_perm(EDIT),
        "sees_all": request.user.has_perm(sla_selectors.VIEW_ALL),
        "service": sla.service_settings(),
        "now": timezone.localtime(now),
        "unofficial_years": sorted({y for r in found for y in r.reading.unofficial_years}),
    }
    return render(request, "servicedesk/sla_list.html", context)


def _export_rows(request: HttpRequest) -> tuple[list[str], list[list[object]]]:
    found, _total = sla_selectors.attention(request.user, timezone.now(), _which(request))
    header = [
        _("工单"),
        _("级别"),
        _("状态"),
        _("时效"),
        _("处理人"),
        _("客服组"),
        _("计时项"),
        _("时限"),
        _("已用（工作分钟）"),
        _("目标（工作分钟）"),
        _("剩余（工作分钟，负数为超时）"),
    ]
    rows: list[list[object]] = []
    for r in map(sla_presenters.attention_row, found):
        due = r["due"].strftime("%Y-%m-%d %H:%M") if r["due"] else ""
        rows.append(
            [
                f"#{r['pk']}",
                r["tier_label"],
                r["state_label"],
                r["sla_label"],
                r["assignee"],
                r["team"],
                r["clock"],
                due,
                r["used_minutes"],
                r["target_minutes"],
                r["remaining_minutes"],
            ]
        )
    return header, rows


@login_required
@permission_required(VIEW, raise_exception=True)
def sla_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The queue as CSV or XLSX (ticket numbers and times only: no customer text)."""
    header, rows = _export_rows(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        kinds = ["text"] * 8 + ["count"] * 3
        sheet = Sheet(
            name="SLA",
            title=_("即将超时和已超时的工单"),
            columns=[Column(h, k) for h, k in zip(header, kinds, strict=True)],
            rows=rows,
        )
        response = HttpResponse(
            workbook([sheet]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(csv_text([header, *rows]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="guanxi-sla-{stamp}.{fmt}"'
    return response


@login_required
@permission_required(EDIT, raise_exception=True)
def sla_targets(request: HttpRequest) -> HttpResponse:
    row = sla.service_settings()
    if request.method == "POST":
        form = SlaTargetsForm(request.POST)
        if form.is_valid():
            done = sla.targets_save(
                form.targets(),
                workday_hours=form.cleaned_data["workday_hours"].strip(),
                restday_hours=form.cleaned_data["restday_hours"].strip(),
                now=timezone.now(),
            )
            messages.success(
                request,
                _("时效目标已保存；%(n)d 张未结工单已按新目标重新计时。") % {"n": done},
            )
            return redirect("servicedesk:sla_targets")
    else:
        form = SlaTargetsForm(initial=SlaTargetsForm.initial_from(sla.targets(), row))
    context = {"nav": "servicedesk", "form": form, "service": row}
    return render(
        request, "servicedesk/sla_targets.html", context, status=400 if form.errors else 200
    )
