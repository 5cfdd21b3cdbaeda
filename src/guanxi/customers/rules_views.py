"""The customer rules page (``/customers/rules/``): every family of rules with the SPEC
defaults beside, saved only when the family's dataclass accepts every value, reset to the
defaults, and "recompute now" (a background task). ``customers.change_customerruleset``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from guanxi.customers import rfm
from guanxi.customers import rules as customer_rules
from guanxi.customers.models import ClassPin, Customer, CustomerClass, CustomerStanding
from guanxi.customers.rfm_presenters import group_name
from guanxi.customers.rules_forms import FamilyForm
from guanxi.metrics.rules import RuleError

CHANGE = "customers.change_customerruleset"


def _current(family: str) -> Any:
    return customer_rules._build(family, getattr(customer_rules._row(), family))


def _forms(bound: str = "", data: Any = None) -> list[FamilyForm]:
    return [
        FamilyForm(family, cls, _current(family), data if family == bound else None)
        for family, cls in customer_rules.FAMILIES.items()
    ]


def last_recompute() -> dict[str, Any]:
    """When the standing was last counted, at which date, and the counts per class and group."""
    classes = dict(
        Customer.objects.filter(merged_into__isnull=True)
        .values_list("customer_class")
        .annotate(n=Count("pk"))
        .values_list("customer_class", "n")
    )
    groups = dict(
        CustomerStanding.objects.exclude(rfm_group="")
        .values_list("rfm_group")
        .annotate(n=Count("pk"))
        .values_list("rfm_group", "n")
    )
    from guanxi.metrics.customers import RFM_GROUPS

    return {
        "computed_at": rfm.last_recompute(),
        "as_of": rfm.standing_as_of(),
        "customers": CustomerStanding.objects.count(),
        "classes": [(label, classes.get(value, 0)) for value, label in CustomerClass.choices],
        "groups": [(group_name(g.key), groups.get(g.key, 0)) for g in RFM_GROUPS],
        "pinned": ClassPin.objects.filter(removed_at__isnull=True).count(),
    }


@login_required
@permission_required(CHANGE, raise_exception=True)
def rules_page(request: HttpRequest) -> HttpResponse:
    forms = _forms()
    if request.method == "POST":
        action = request.POST.get("action", "")
        family = request.POST.get("family", "")
        user = request.user.get_username()
        if action == "recompute":
            from guanxi.customers.tasks import recompute_standing

            recompute_standing.enqueue()
            messages.success(
                request, _("已开始重新计算全部客户的分类和 RFM，完成后本页显示新的时间。")
            )
            return redirect("customers:rules")
        if family not in customer_rules.FAMILIES:
            messages.error(request, _("没有这组规则。"))
            return redirect("customers:rules")
        if action == "reset":
            customer_rules.rules_reset(family, user=user)
            messages.success(request, _("已恢复默认值。重新计算后生效。"))
            return redirect("customers:rules")
        forms = _forms(family, request.POST)
        form = next(f for f in forms if f.family == family)
        if form.is_valid():
            try:
                customer_rules.rules_save(family, form.values(), user=user)
            except RuleError as exc:
                form.refuse(exc)
            else:
                messages.success(request, _("已保存。重新计算后生效。"))
                return redirect("customers:rules")
    context = {"nav": "customers", "forms": forms, "last": last_recompute()}
    return render(request, "customers/rules.html", context, status=200)
