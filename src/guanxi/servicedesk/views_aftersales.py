"""The after-sales case pages: the case of a ticket (form, decision, the order's refunds and,
for 疑难/升级 tickets, the penalty reference and the dispute weighing) and its save.
Thin: the form parses, ``servicedesk.aftersales`` decides and writes. The same context feeds
the ticket page's panel (``templatetags.sd_aftersales``)."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from guanxi.customers.presenters import REFUND_KIND_LABELS, REFUND_STATUS_LABELS
from guanxi.servicedesk import aftersales, penalties
from guanxi.servicedesk.models import AfterSalesCase, Ticket, Tier

logger = logging.getLogger(__name__)

CONDITION_CHOICES = [
    ("washed", _lazy("已洗涤")),
    ("damaged", _lazy("人为损坏")),
    ("tags-removed", _lazy("吊牌已拆")),
    ("custom", _lazy("定制商品")),
    ("special-size", _lazy("特殊尺码")),
    ("incomplete-packaging", _lazy("包装、配件或吊牌不全")),
]
SEVERITY_CHOICES = [
    ("none", _lazy("与描述相符")),
    ("minor", _lazy("不符，未影响正常使用（扣3分）")),
    ("affects-use", _lazy("不符，影响正常使用（扣6分）")),
    ("serious", _lazy("严重不符或无法使用（扣12分）")),
]
LOCAL_INPUT = "%Y-%m-%dT%H:%M"
TIME_FORMATS = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
DIFFICULT_TIERS = (Tier.DIFFICULT, Tier.ESCALATED)


def _time_field(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=TIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )


class AfterSalesForm(forms.Form):
    case_kind = forms.ChoiceField(label=_lazy("售后类型"), choices=AfterSalesCase.CaseKind.choices)
    reason = forms.ChoiceField(label=_lazy("原因"), choices=AfterSalesCase.Reason.choices)
    signed_at = _time_field(_lazy("签收时间"))
    requested_at = _time_field(_lazy("申请时间"))
    conditions = forms.MultipleChoiceField(
        label=_lazy("商品状况"),
        choices=CONDITION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amount = forms.DecimalField(
        label=_lazy("金额"), max_digits=12, decimal_places=2, min_value=0, required=False
    )
    refund_id = forms.CharField(label=_lazy("退款单号"), max_length=64, required=False)

    def case_input(self) -> aftersales.CaseInput:
        data = self.cleaned_data
        return aftersales.CaseInput(
            case_kind=data["case_kind"],
            reason=data["reason"],
            signed_at=data["signed_at"],
            requested_at=data["requested_at"],
            conditions=tuple(data["conditions"]),
            amount=data["amount"],
            refund_id=data["refund_id"] or "",
        )


class DisputeForm(forms.Form):
    """The dispute weighing's inputs (GET, nothing stored)."""

    settle_cost = forms.DecimalField(
        label=_lazy("和解成本（元）"), max_digits=12, decimal_places=2, min_value=0
    )
    order_amount = forms.DecimalField(
        label=_lazy("订单金额（元）"), max_digits=12, decimal_places=2, min_value=0
    )
    return_shipping = forms.DecimalField(
        label=_lazy("退货运费（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
    )
    severity = forms.ChoiceField(label=_lazy("描述相符程度"), choices=SEVERITY_CHOICES)
    evidence = forms.BooleanField(label=_lazy("卖家有证据（质检、发货凭证）"), required=False)


def _initial(ticket: Ticket, case: AfterSalesCase | None) -> dict[str, Any]:
    if case is not None:
        return {
            "case_kind": case.case_kind,
            "reason": case.reason,
            "signed_at": case.signed_at and timezone.localtime(case.signed_at),
            "requested_at": timezone.localtime(case.requested_at),
            "conditions": case.conditions,
            "amount": case.amount,
            "refund_id": case.refund_id,
        }
    signed = _lake_signed_at(ticket)
    return {
        "case_kind": AfterSalesCase.CaseKind.RETURN,
        "reason": AfterSalesCase.Reason.NO_REASON,
        "signed_at": signed and timezone.localtime(signed),
        "requested_at": timezone.localtime().replace(second=0, microsecond=0),
    }


def _lake_signed_at(ticket: Ticket) -> dt.datetime | None:
    """The order's signed time from the lake; None (the user types it) when unknown or
    when the lake cannot be read (the panel must never break the ticket page)."""
    try:
        return aftersales.order_signed_at(ticket.order_id, ticket.platform)
    except Exception:
        logger.exception("after-sales: the signed time of order %s", ticket.order_id)
        return None


def _refunds(ticket: Ticket) -> tuple[list[dict[str, Any]], bool]:
    """The order's refunds with their kind and status in words; ``False`` when the lake
    could not be read (said on the panel, never an error page)."""
    try:
        rows = aftersales.order_refunds([ticket.order_id], ticket.platform)
    except Exception:
        logger.exception("after-sales: the refunds of order %s", ticket.order_id)
        return [], False
    return [
        {
            "refund_id": r.refund_id,
            "kind": REFUND_KIND_LABELS.get(r.kind, r.kind),
            "status": REFUND_STATUS_LABELS.get(r.status, r.status),
            "amount": r.amount,
            "requested_at": r.requested_at,
            "reason": r.reason,
        }
        for r in rows
    ], True


def decision_view(decision: dict[str, Any]) -> dict[str, Any] | None:
    """The stored decision for the page: local deadline, words in the reader's language."""
    if not decision:
        return None
    english = (get_language() or "").startswith("en")
    deadline = dt.datetime.fromisoformat(decision["deadline"])
    payer = decision["shipping_paid_by"]
    return {
        "eligible": decision["eligible"],
        "deadline": deadline,
        "deadline_text": f"{deadline:%Y-%m-%d %H:%M}",
        "shipping_paid_by": payer,
        "payer_text": _("卖家承担运费") if payer == "seller" else _("买家承担运费"),
        "reasons": [
            {
                "code": r["code"],
                "text": r.get("text_en", r["text"]) if english else r["text"],
                "refusing": r["code"] in _refusing(),
            }
            for r in decision["reasons"]
        ],
    }


def _refusing() -> frozenset[str]:
    from guanxi.servicedesk.returns import REFUSING

    return REFUSING


def _rules(rules: tuple[penalties.Rule, ...]) -> list[dict[str, Any]]:
    english = (get_language() or "").startswith("en")
    return [
        {"code": r.code, "text": r.english if english else r.zh, "points": r.points} for r in rules
    ]


def panel_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    form: AfterSalesForm | None = None,
    with_weighing: bool = False,
) -> dict[str, Any]:
    case = AfterSalesCase.objects.filter(ticket=ticket).first()
    can_edit = aftersales.ticket_actionable(request.user, ticket)
    refunds, lake_ok = _refunds(ticket) if ticket.order_id else ([], True)
    difficult = ticket.tier in DIFFICULT_TIERS
    context: dict[str, Any] = {
        "ticket": ticket,
        "case": case,
        "can_edit": can_edit,
        "closed": ticket.state == "closed",
        "form": form or AfterSalesForm(initial=_initial(ticket, case)),
        "decision": decision_view(case.decision) if case else None,
        "refunds": refunds,
        "lake_ok": lake_ok,
        "difficult": difficult,
        "next": request.get_full_path(),
        "case_url": reverse("servicedesk:aftersales_case", args=[ticket.pk]),
        "save_url": reverse("servicedesk:aftersales_save", args=[ticket.pk]),
    }
    if difficult:
        context["mismatch_rules"] = _rules(penalties.MISMATCH_RULES)
        context["complaint_outcomes"] = _rules(penalties.REFUND_COMPLAINT_OUTCOMES)
        context["weiquan_rule"] = _rules((penalties.WEIQUAN_RULE,))[0]
    if difficult and with_weighing:
        context.update(_weighing(request, ticket, case))
    return context


def _weighing(request: HttpRequest, ticket: Ticket, case: AfterSalesCase | None) -> dict[str, Any]:
    amount = case.amount if case and case.amount is not None else None
    if "settle_cost" in request.GET:
        dispute_form = DisputeForm(request.GET)
    else:
        dispute_form = DisputeForm(
            initial={"settle_cost": amount, "order_amount": amount, "severity": "none"}
        )
    result = None
    if dispute_form.is_bound and dispute_form.is_valid():
        data = dispute_form.cleaned_data
        weighing = penalties.dispute_weigh(
            settle_cost=data["settle_cost"],
            order_amount=data["order_amount"],
            return_shipping=data["return_shipping"] or Decimal("0"),
            severity=data["severity"],
            seller_has_evidence=data["evidence"],
        )
        english = (get_language() or "").startswith("en")
        result = {
            "weighing": weighing,
            "advice": weighing.advice.english if english else weighing.advice.zh,
            "reasons": _rules(weighing.reasons),
        }
    return {"dispute_form": dispute_form, "weighing": result}


def _ticket_for(request: HttpRequest, ticket_id: int) -> Ticket:
    ticket = get_object_or_404(Ticket.objects.select_related("assignee"), pk=ticket_id)
    if not aftersales.ticket_actionable(request.user, ticket):
        raise PermissionDenied
    return ticket


@login_required
def case_page(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_for(request, ticket_id)
    context = panel_context(request, ticket, with_weighing=True)
    context["nav"] = "servicedesk"
    context["on_case_page"] = True
    return render(request, "servicedesk/aftersales_case.html", context)


@login_required
@require_POST
def case_save(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_for(request, ticket_id)
    form = AfterSalesForm(request.POST)
    if form.is_valid():
        try:
            aftersales.case_save(ticket=ticket, data=form.case_input(), by=request.user)
        except aftersales.AfterSalesError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            messages.success(request, _("售后单已保存，判定已更新。"))
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("servicedesk:aftersales_case", args=[ticket.pk])
            return redirect(target)
    context = panel_context(request, ticket, form=form, with_weighing=True)
    context["nav"] = "servicedesk"
    context["on_case_page"] = True
    return render(request, "servicedesk/aftersales_case.html", context, status=400)
