"""The results pages (调查结果): every survey with its headline figure, one survey's results
(by month, agent, team, product, segment; per question; text answers) and their exports.
Thin: the period and options from the query, the rows from ``result_selectors``, the
tables and charts from ``result_presenters``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guanxi.core.audit import audit_record
from guanxi.core.models import AuditAction
from guanxi.core.timeutil import Period
from guanxi.satisfaction import exports_results
from guanxi.satisfaction import result_presenters as presenters
from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import Survey
from guanxi.web import search_tokens
from guanxi.web.forms import PeriodForm
from guanxi.web.periods import period_from_query
from guanxi.web.responses import xlsx_response

VIEW = "satisfaction.view_results"
REVEAL = "customers.reveal_personal"
SEARCH_AREA = "survey-texts"
TEXTS_SHOWN = 200  # text answers listed on the page (the search and the export reach all)


def _period(request: HttpRequest, default: Period | None) -> tuple[PeriodForm, Period | None]:
    """The ``?start=&end=`` period; ``default`` None: all answers until a period is asked."""
    if default is None and "start" not in request.GET and "end" not in request.GET:
        return PeriodForm(), None
    today = timezone.localdate()
    return period_from_query(request.GET, default or Period(today, today))


def _by(request: HttpRequest) -> str:
    by = request.GET.get("by", "period")
    return by if by in sel.BY else "period"


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    form, period = _period(request, None)
    rows = sel.overview(period)
    context = {
        "nav": "satisfaction",
        "sat_tab": "results",
        "form": form,
        "period": period,
        "rows": rows,
        "table": presenters.overview_table(rows),
        "links": [(r.survey.pk, r.survey.name) for r in rows],
    }
    return render(request, "satisfaction/results.html", context)


def _survey_context(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    form, period = _period(request, sel.default_period(survey))
    data = sel.survey_data(survey, period)
    by = _by(request)
    groups = sel.breakdown(data, by)
    overall = sel.figures(data)
    questions = presenters.question_tables(sel.question_figures(data))
    return {
        "form": form,
        "period": period,
        "data": data,
        "by": by,
        "by_choices": [(b, presenters.by_label(b)) for b in sel.BY],
        "overall": overall,
        "tile": presenters.tile_texts(overall),
        "nps_groups": presenters.nps_groups(overall.nps) if overall.nps else [],
        "breakdown": presenters.breakdown_table(survey, data, groups, by),
        "questions": questions,
        "chart": _chart(survey, data, groups, by, questions),
    }


def _chart(
    survey: Survey,
    data: sel.SurveyData,
    groups: list[sel.Group],
    by: str,
    questions: list[tuple[sel.QuestionFigures, presenters.Table]],
) -> dict[str, Any]:
    labels = [g.label or presenters.cell_text(None, "text") for g in groups]
    series = []
    if sel.csat_question(data.questions) is not None:
        series.append(
            {
                "name": _("CSAT（%）"),
                "values": [
                    None
                    if not g.figures.csat or g.figures.csat.share is None
                    else round(g.figures.csat.share * 100, 2)
                    for g in groups
                ],
            }
        )
    if sel.nps_question(data.questions) is not None:
        series.append(
            {
                "name": "NPS",
                "values": [g.figures.nps.nps if g.figures.nps else None for g in groups],
                "low": [g.figures.nps.low if g.figures.nps else None for g in groups],
                "high": [g.figures.nps.high if g.figures.nps else None for g in groups],
            }
        )
    return {
        "by": {"title": presenters.by_label(by), "labels": labels, "series": series,
               "responses": [g.figures.responses for g in groups],
               "responses_name": _("答复数")},
        "questions": [
            {"id": f"q{qf.question.pk}-chart", "title": qf.question.text,
             "labels": [v for v, _n in qf.counts], "values": [n for _v, n in qf.counts],
             "nps": qf.nps is not None}
            for qf, _t in questions
        ],
    }  # fmt: skip


def _text_search_redirect(request: HttpRequest, survey: Survey) -> HttpResponse:
    """The text-answer search is POSTed (an answer's words may be personal data): keep the
    text in the session and come back to the page with its token (guanxi.web.search_tokens)."""
    params = {k: request.POST.get(k, "") for k in ("start", "end", "by", "reveal")}
    query = request.POST.get("q", "").strip()[:100]
    if query:
        params[search_tokens.PARAM] = search_tokens.remember(request, SEARCH_AREA, query)
    url = reverse("satisfaction:survey_results", args=[survey.pk])
    return redirect(f"{url}?{urlencode({k: v for k, v in params.items() if v})}#texts")


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def survey_results(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    if request.method == "POST":
        return _text_search_redirect(request, survey)
    context = _survey_context(request, survey)
    # Text answers: masked unless the user may reveal personal data AND asks to (audited).
    may_reveal = request.user.has_perm(REVEAL)
    reveal = may_reveal and request.GET.get("reveal") == "1"
    recalled = search_tokens.recall(request, SEARCH_AREA)
    if recalled is None:
        messages.info(request, _("这次搜索已过期，请重新搜索。"))
    query = recalled or ""
    answers = sel.text_answers(context["data"])
    lang = get_language() or "zh-hans"
    rows = presenters.text_rows(answers, reveal=reveal, query=query)
    if reveal and rows:
        audit_record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditAction.REVEAL,
            fields="survey text answers",
            subject=f"survey {survey.pk}",
            row_count=len({a.customer_key for a in answers if a.customer_key}) or len(rows),
        )
    context.update(
        {
            "nav": "satisfaction",
            "sat_tab": "results",
            "survey": survey,
            "kind_label": presenters.kind_label(survey),
            "state_label": presenters.state_label(survey),
            "query": query,
            "search_token": request.GET.get(search_tokens.PARAM, "") if query else "",
            "may_reveal": may_reveal,
            "reveal": reveal,
            "texts": [
                {
                    "day": r.day,
                    "question": r.question,
                    "text": r.text,
                    "label": r.label,
                    "label_text": presenters.sentiment_label(r.label),
                    "score": r.score,
                    "themes": [presenters.theme_label(t, lang) for t in r.themes],
                }
                for r in rows[:TEXTS_SHOWN]
            ],
            "texts_total": len(rows),
            "texts_all": len(answers),
            "themes": [
                (presenters.theme_label(k, lang), n) for k, n in presenters.theme_counts(rows)
            ],
            "small_sample": context["overall"].nps is not None and context["overall"].nps.small,
        }
    )
    context["chart"]["themes"] = {
        "labels": [t for t, _n in context["themes"]],
        "values": [n for _t, n in context["themes"]],
    }
    return render(request, "satisfaction/results_survey.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def results_export(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    _form, period = _period(request, sel.default_period(survey))
    data = sel.survey_data(survey, period)
    name = f"guanxi-survey-{survey.pk}-results"
    if fmt == "xlsx":
        return xlsx_response(exports_results.results_xlsx(survey, data), f"{name}.xlsx")
    return _csv(exports_results.results_csv(survey, data), f"{name}.csv")


@login_required
@permission_required(VIEW, raise_exception=True)
def texts_export(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    """The text answers matching the page's search, always masked (see exports_results)."""
    survey = get_object_or_404(Survey, pk=survey_id)
    query = search_tokens.recall(request, SEARCH_AREA)
    if query is None:  # the page's search expired: exporting every answer would mislead
        messages.info(request, _("这次搜索已过期，请重新搜索。"))
        return redirect(reverse("satisfaction:survey_results", args=[survey.pk]) + "#texts")
    _form, period = _period(request, sel.default_period(survey))
    data = sel.survey_data(survey, period)
    lang = get_language() or "zh-hans"
    rows = presenters.text_rows(sel.text_answers(data), reveal=False, query=query)
    audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action=AuditAction.EXPORT,
        fields="survey text answers (masked)",
        subject=f"survey {survey.pk}",
        row_count=len(rows),
    )
    name = f"guanxi-survey-{survey.pk}-texts"
    if fmt == "xlsx":
        return xlsx_response(exports_results.text_xlsx(survey, data, rows, lang), f"{name}.xlsx")
    return _csv(exports_results.text_csv(survey, data, rows, lang), f"{name}.csv")
