"""The members page (会员等级): tiers and perks with their benefits, the score's formula with
a worked example, the distribution of scores, the settings and the on-demand recompute.
Shop figures (``accounts.view_shop_figures``) to see it; ``loyalty.change_membersettings``
to change the settings or recompute."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.timeutil import parse_month
from guanxi.loyalty import member_presenters, member_scores, member_selectors, tasks
from guanxi.loyalty.forms import MemberSettingsForm
from guanxi.loyalty.rules import RuleError
from guanxi.web.exports.safe import csv_text

SHOP_FIGURES = "accounts.view_shop_figures"
EDIT = "loyalty.change_membersettings"


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def members_page(request: HttpRequest) -> HttpResponse:
    row = member_scores.member_settings()
    can_edit = request.user.has_perm(EDIT)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(status=403)
        form = MemberSettingsForm(request.POST)
        if form.is_valid():
            try:
                member_scores.settings_save(form.values(), user=request.user.get_username())
            except RuleError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc).split(": ", 1)[-1])
            else:
                messages.success(request, _("会员等级设置已保存；下次计算起生效。"))
                return redirect("loyalty:members")
    else:
        form = MemberSettingsForm(initial=MemberSettingsForm.initial_from(row))
    rules = member_scores.member_rules(row)
    summary = member_selectors.tier_summary()
    bins = member_selectors.score_histogram(summary.month)
    context = {
        "nav": "customers",
        "form": form,
        "can_edit": can_edit,
        "settings": row,
        "rules": rules,
        "bins": bins,
        "chart": member_presenters.histogram_chart(bins, rules),
        "example": member_presenters.worked_example(rules),
        **member_presenters.summary_context(summary),
    }
    return render(request, "loyalty/members.html", context, status=400 if form.errors else 200)


@login_required
@permission_required(EDIT, raise_exception=True)
@require_POST
def members_recompute(request: HttpRequest) -> HttpResponse:
    """Queue a month's scores now (default this month; the worker runs it, at once where
    tasks are immediate)."""
    month = request.POST.get("month", "").strip()
    if month:
        try:
            year, number = parse_month(month)
        except ValueError:
            messages.error(
                request,
                _("月份：%(value)s 不是月份，请按 2025-12 的格式填写。") % {"value": month[:20]},
            )
            return redirect("loyalty:members")
        month = f"{year:04d}-{number:02d}"
    tasks.queue_now(month)
    messages.success(request, _("已排队重新计算会员成长值；完成后本页显示新的结果。"))
    return redirect("loyalty:members")


@login_required
@permission_required(SHOP_FIGURES, raise_exception=True)
def members_export(request: HttpRequest) -> HttpResponse:
    """The tiers, perks and the distribution as CSV (counts only: no customer is named)."""
    summary = member_selectors.tier_summary()
    bins = member_selectors.score_histogram(summary.month)
    month = f"{summary.month:%Y-%m}" if summary.month else ""
    rows: list[list[object]] = [
        [_("月份"), month],
        [],
        [_("等级"), _("成长值"), _("客户数"), _("占比")],
    ]
    for r in member_presenters.level_rows(summary.tiers + summary.perks):
        rows.append([r["name"], r["span"], r["customers"], r["share"]])
    rows += [[], [_("成长值下限"), _("成长值上限（不含）"), _("客户数")]]
    rows += [[b.low, b.high, b.customers] for b in bins]
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="guanxi-members-{month or "none"}.csv"'
    return response
