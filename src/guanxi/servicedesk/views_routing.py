"""The routing settings page: departments (add, rename, deactivate) and the ordered
routing rules. Only ``servicedesk.change_routing`` may change them; a bad value is refused
beside its field and nothing is saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.servicedesk import routing
from guanxi.servicedesk.forms import DepartmentForm, RoutingRuleForm
from guanxi.servicedesk.models import Department, RoutingRule


def _page(
    request: HttpRequest,
    *,
    department_form: DepartmentForm | None = None,
    rule_form: RoutingRuleForm | None = None,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    bound = bound or {}
    departments = [
        (d, bound.get(f"d{d.pk}") or DepartmentForm(instance=d, prefix=f"d{d.pk}"))
        for d in Department.objects.all()
    ]
    rules = [
        (r, bound.get(f"r{r.pk}") or RoutingRuleForm(instance=r, prefix=f"r{r.pk}"))
        for r in RoutingRule.objects.select_related("department", "agent")
    ]
    invalid = bool(bound) or bool(
        (department_form and department_form.errors) or (rule_form and rule_form.errors)
    )
    context = {
        "nav": "servicedesk",
        "departments": departments,
        "rules": rules,
        "department_form": department_form or DepartmentForm(prefix="dnew"),
        "rule_form": rule_form or RoutingRuleForm(prefix="rnew"),
    }
    return render(request, "servicedesk/routing.html", context, status=422 if invalid else 200)


@login_required
@permission_required("servicedesk.change_routing", raise_exception=True)
@require_http_methods(["GET", "POST"])
def routing_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request)
    what = request.POST.get("what", "")
    if what == "defaults":
        if routing.defaults_ensure():
            messages.success(request, _("已添加默认的部门和分派规则。"))
    elif what == "department":
        pk = request.POST.get("pk", "")
        instance = get_object_or_404(Department, pk=pk) if pk else None
        prefix = f"d{pk}" if pk else "dnew"
        form = DepartmentForm(request.POST, instance=instance, prefix=prefix)
        if not form.is_valid():
            if instance is None:
                return _page(request, department_form=form)
            return _page(request, bound={prefix: form})
        form.save()
        messages.success(request, _("部门已保存。"))
    elif what == "rule":
        pk = request.POST.get("pk", "")
        rule = get_object_or_404(RoutingRule, pk=pk) if pk else None
        if rule is not None and request.POST.get("delete"):
            rule.delete()
            messages.success(request, _("规则已删除。"))
            return redirect("servicedesk:routing")
        prefix = f"r{pk}" if pk else "rnew"
        rule_form = RoutingRuleForm(request.POST, instance=rule, prefix=prefix)
        if not rule_form.is_valid():
            if rule is None:
                return _page(request, rule_form=rule_form)
            return _page(request, bound={prefix: rule_form})
        rule_form.save()
        messages.success(request, _("规则已保存。"))
    return redirect("servicedesk:routing")
