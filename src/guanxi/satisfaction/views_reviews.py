"""The review pages: the analytics (好评率, sentiment, themes, drivers, churn beside) and the
bad-review alert queue with each alert's page. Thin: the figures come from
``review_selectors``, the work on alerts from ``alerts``, the shapes from
``review_presenters``. All need ``satisfaction.view_reviewalert``; changing an alert needs
``satisfaction.change_reviewalert`` (agents: only the alerts ``alerts.visible`` gives them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.audit import audit_record
from guanxi.core.errors import UserInputError
from guanxi.core.models import AuditAction
from guanxi.core.timeutil import Period
from guanxi.satisfaction import alerts, review_exports, review_selectors
from guanxi.satisfaction import review_presenters as present
from guanxi.satisfaction.forms_reviews import AlertFilterForm, AssignForm, MoveForm
from guanxi.satisfaction.models import AlertStatus, ReviewAlert
from guanxi.stats.review_themes import themes as themes_of
from guanxi.web.forms import PeriodForm
from guanxi.web.language import export_language
from guanxi.web.periods import period_from_query
from guanxi.web.responses import xlsx_response

VIEW = "satisfaction.view_reviewalert"
# The analytics page shows shop-wide figures (好评率, churn, drivers): the results permission,
# which managers and marketing have and agents do not; agents work the alert queue.
FIGURES = "satisfaction.view_results"
CHANGE = "satisfaction.change_reviewalert"
REVEAL = "customers.reveal_personal"


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    return period_from_query(request.GET, review_selectors.default_period(timezone.localdate()))


@login_required
@permission_required(FIGURES, raise_exception=True)
def reviews_page(request: HttpRequest) -> HttpResponse:
    """评价分析: 好评率 by month and product, sentiment, themes, drivers, churn beside."""
    form, period = _period(request)
    summary = review_selectors.good_rate_summary(period)
    months = review_selectors.good_rate_by_month(period)
    products = review_selectors.good_rate_by_product(period)
    sentiments = review_selectors.sentiment_by_month(period)
    themes = review_selectors.themes_by_product(period)
    unscored = review_selectors.unscored()
    churn = review_selectors.churn_by_month(period)
    context = {
        "nav": "satisfaction",
        "sat_tab": "reviews",
        "form": form,
        "period": period,
        "summary": summary,
        "tiles": present.tiles(summary, review_selectors.churn_beside(period), unscored),
        "unscored": unscored,
        "months": present.month_rows(months, churn),
        "products": present.product_rows(products, review_selectors.sentiment_by_product(period)),
        "sentiments": present.sentiment_rows(sentiments),
        "theme_labels": present.theme_labels(),
        "themes": present.theme_rows(themes),
        "drivers": review_selectors.negative_drivers(period),
        "chart": present.chart(months, sentiments, themes, churn),
        "query": f"start={period.start}&end={period.end}",
    }
    return render(request, "satisfaction/reviews.html", context)


@login_required
@permission_required(FIGURES, raise_exception=True)
def reviews_export(request: HttpRequest) -> HttpResponse:
    """The analytics as XLSX (default) or CSV (``?format=csv``)."""
    _form, period = _period(request)
    months = review_selectors.good_rate_by_month(period)
    products = review_selectors.good_rate_by_product(period)
    name = f"guanxi-reviews-{period.start}-{period.end}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write(review_exports.analytics_csv(months, products))
        return response
    content = review_exports.analytics_xlsx(
        period,
        months,
        products,
        review_selectors.themes_by_product(period),
        review_selectors.negative_drivers(period),
        export_language(),
    )
    return xlsx_response(content, f"{name}.xlsx")


# -- the alert queue --------------------------------------------------------------------------
def _filtered(request: HttpRequest) -> tuple[AlertFilterForm, QuerySet[ReviewAlert]]:
    form = AlertFilterForm(request.GET or None)
    return form, form.filter(alerts.visible(request.user), request.user)


@login_required
@permission_required(VIEW, raise_exception=True)
def alerts_page(request: HttpRequest) -> HttpResponse:
    form, found = _filtered(request)
    page: Page[ReviewAlert] = Paginator(found, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    texts = present.review_texts([(a.platform, a.review_id) for a in rows])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "satisfaction",
        "sat_tab": "alerts",
        "form": form,
        "page": page,
        "rows": [{"alert": a, "text": texts.get((a.platform, a.review_id), "")} for a in rows],
        "tiles": present.tracking_tiles(alerts.tracking(alerts.visible(request.user))),
        "query": query.urlencode(),
    }
    return render(request, "satisfaction/alerts.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def alerts_export(request: HttpRequest) -> HttpResponse:
    _form, found = _filtered(request)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="guanxi-review-alerts.csv"'
        response.write(review_exports.alerts_csv(found))
        return response
    return xlsx_response(
        review_exports.alerts_xlsx(found),
        "guanxi-review-alerts.xlsx",
    )


def _alert(request: HttpRequest, alert_id: int) -> ReviewAlert:
    found = alerts.visible(request.user).filter(pk=alert_id).first()
    if found is None:
        raise Http404(_("没有这条预警，或您无权查看。"))
    return found


def _render_alert(request: HttpRequest, alert: ReviewAlert, *, reveal: bool) -> HttpResponse:
    text = present.review_texts([(alert.platform, alert.review_id)]).get(
        (alert.platform, alert.review_id), ""
    )
    context = {
        "nav": "satisfaction",
        "sat_tab": "alerts",
        "alert": alert,
        "text": text,
        "themes": [present.label(t, request.LANGUAGE_CODE) for t in themes_of(text)],
        "response": present.masked_response(alert, reveal=reveal),
        "sentiment_label": present.sentiment_label(alert.sentiment),
        "revealed": reveal,
        "may_reveal": request.user.has_perm(REVEAL),
        "may_change": request.user.has_perm(CHANGE),
        "assign_form": AssignForm(initial={"owner": alert.owner_id or ""}),
        "move_form": MoveForm(initial={"status": alert.status}),
        # As the tracking figures count it: still waiting (open or in progress), no reply
        # yet, raised more than 24 h ago — a closed alert is not overdue.
        "overdue": alert.status in (AlertStatus.OPEN, AlertStatus.IN_PROGRESS)
        and alert.responded_at is None
        and timezone.now() - alert.created_at > alerts.OVERDUE_AFTER,
    }
    return render(request, "satisfaction/alert_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    return _render_alert(request, _alert(request, alert_id), reveal=False)


@login_required
@permission_required([VIEW, REVEAL], raise_exception=True)
@require_POST
def alert_reveal(request: HttpRequest, alert_id: int) -> HttpResponse:
    """The response in full: POST (a deliberate act), audited (field names, never values)."""
    alert = _alert(request, alert_id)
    if isinstance(request.user, AnonymousUser):  # login_required stops these; for mypy
        raise PermissionDenied
    audit_record(
        actor=request.user,
        action=AuditAction.REVEAL,
        fields="review_alert.response",
        subject=alert.customer_key or f"{alert.platform}:{alert.review_id}",
        row_count=1,
    )
    return _render_alert(request, alert, reveal=True)


@login_required
@permission_required([VIEW, CHANGE], raise_exception=True)
@require_POST
def alert_action(request: HttpRequest, alert_id: int) -> HttpResponse:
    """assign / move (with the response) / ticket; errors come back as a message naming
    the field, and nothing is half-written (each service call is one transaction)."""
    alert = _alert(request, alert_id)
    action = request.POST.get("action", "")
    try:
        if action == "assign":
            form = AssignForm(request.POST)
            if not form.is_valid():
                raise UserInputError(_("负责人：请从列表中选择。"))
            owner = form.cleaned_data["owner"]
            alerts.assign(alert.pk, int(owner) if owner else None)
            messages.success(request, _("已更新负责人。"))
        elif action == "move":
            move = MoveForm(request.POST)
            if not move.is_valid():
                errors = "; ".join(
                    f"{move.fields[f].label}：{' '.join(str(m) for m in e)}"
                    for f, e in move.errors.items()
                )
                raise UserInputError(errors)
            alerts.move(
                alert.pk, move.cleaned_data["status"], response=move.cleaned_data["response"]
            )
            messages.success(request, _("已更新状态。"))
        elif action == "ticket":
            if not request.user.has_perm("servicedesk.add_ticket"):
                raise UserInputError(_("工单：您无权创建工单，请联系主管。"))
            text = present.review_texts([(alert.platform, alert.review_id)]).get(
                (alert.platform, alert.review_id), ""
            )
            alerts.create_ticket(alert.pk, by=request.user, themes=tuple(themes_of(text)))
            messages.success(request, _("已创建工单。"))
        else:
            raise UserInputError(_("操作：未知的操作。"))
    except UserInputError as exc:
        messages.error(request, str(exc))
    return redirect("satisfaction:alert", alert_id=alert.pk)
