"""The SERVQUAL page (服务质量差距, seed 000 项目二): per item and dimension the expected and
perceived means, the gap, the weight and the weighted gap; the "fix first" list with the
remedy the manager writes per item; the five/ten switch; the XLSX export.

Saving remedies needs ``satisfaction.change_survey``; every remedy of the form is checked
before any is saved (nothing half-written), and each changed item records who changed it
and when (``Question.remedy_by`` / ``remedy_at``, shown beside it).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.satisfaction import exports_results
from guanxi.satisfaction import result_presenters as presenters
from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import Question, QuestionKind, Survey, SurveyKind
from guanxi.web.exports.xlsx import workbook
from guanxi.web.responses import xlsx_response

VIEW = "satisfaction.view_results"
CHANGE = "satisfaction.change_survey"
REMEDY_LENGTH = 1000
MILLI = Decimal("0.001")


def servqual_surveys() -> list[Survey]:
    """Surveys of the SERVQUAL kind or with SERVQUAL items, newest first."""
    return list(
        Survey.objects.filter(
            Q(kind=SurveyKind.SERVQUAL) | Q(questions__kind=QuestionKind.SERVQUAL)
        ).distinct()
    )


def _view(request: HttpRequest, survey: Survey) -> str:
    view = request.GET.get("view", "")
    if view == "ten" and survey.dimension_set == "ten":
        return "ten"
    return "five" if view == "five" or survey.dimension_set != "ten" else "ten"


@login_required
@permission_required(VIEW, raise_exception=True)
def chooser(request: HttpRequest) -> HttpResponse:
    surveys = servqual_surveys()
    if len(surveys) == 1:
        return redirect("satisfaction:servqual_survey", survey_id=surveys[0].pk)
    context = {"nav": "satisfaction", "sat_tab": "servqual", "surveys": surveys}
    return render(request, "satisfaction/servqual_choose.html", context)


def _context(
    request: HttpRequest, survey: Survey, posted: dict[str, str] | None = None
) -> dict[str, Any]:
    """The page's figures; ``posted`` refills the remedies of a refused form."""
    view = _view(request, survey)
    data = sel.survey_data(survey)
    items = sel.servqual_questions(data.questions)
    sq = sel.servqual_of(data, view=view)
    by_pk: dict[Any, Question] = {q.pk: q for q in items}
    tables = presenters.servqual_tables(sq, by_pk)
    posted = posted or {}
    ranking = [
        {
            "item": i,
            "question": by_pk[i.key],
            "cells": [text for text, _n in row],
            "value": posted.get(f"remedy-{i.key}", by_pk[i.key].remedy),
            "importance": posted.get(f"importance-{i.key}", _plain(by_pk[i.key].importance)),
        }
        for i, row in zip(sq.ranking, tables["ranking"].cells, strict=True)
    ]
    return {
        "nav": "satisfaction",
        "sat_tab": "servqual",
        "survey": survey,
        "surveys": servqual_surveys(),
        "view": view,
        "may_switch": survey.dimension_set == "ten",
        "sq": sq,
        "tables": tables,
        "ranking": ranking,
        "chart": presenters.servqual_chart(sq),
        "respondents": sq.respondents,
        "remedy_length": REMEDY_LENGTH,
        "may_change": request.user.has_perm(CHANGE),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def servqual_page(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    if request.method == "POST":
        return _save_remedies(request, survey)
    return render(request, "satisfaction/servqual.html", _context(request, survey))


def _plain(value: Decimal) -> str:
    """1.000 → "1", 0.250 → "0.25" (the form shows the weight as the manager typed it)."""
    return format(value.normalize(), "f")


def _importance(text: str) -> Decimal | None:
    """A weight > 0 and ≤ 1000 with at most three decimals, else None."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    if not value.is_finite() or value <= 0 or value > 1000 or value != value.quantize(MILLI):
        return None
    return value


def _save_remedies(request: HttpRequest, survey: Survey) -> HttpResponse:
    """Remedies and importance weights. The weights only weigh the gaps (no answer depends
    on them), so a manager may set them after seeing the results, even on an open survey."""
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied
    items = {q.pk: q for q in Question.objects.filter(survey=survey, kind=QuestionKind.SERVQUAL)}
    changed: dict[int, Question] = {}
    reweighted: dict[int, Question] = {}
    errors: list[str] = []
    for pk, q in items.items():
        weight_field = f"importance-{pk}"
        posted_weight = str(request.POST.get(weight_field, "")).strip()
        if weight_field in request.POST and posted_weight != _plain(q.importance):
            weight = _importance(posted_weight)
            if weight is None:
                errors.append(
                    _("“%(item)s”的重要性权重须是大于 0、不超过 1000 的数（最多三位小数）。")
                    % {"item": q.text}
                )
            elif weight != q.importance:
                q.importance = weight
                reweighted[pk] = q
        field = f"remedy-{pk}"
        if field not in request.POST:
            continue
        text = request.POST[field].strip()
        if len(text) > REMEDY_LENGTH:
            errors.append(
                _("“%(item)s”的改进措施有 %(n)s 个字，最多 %(max)s 个字；请缩短后再保存。")
                % {"item": q.text, "n": len(text), "max": REMEDY_LENGTH}
            )
        elif text != q.remedy:
            q.remedy = text
            changed[pk] = q
    if errors:
        posted = {
            k: str(v) for k, v in request.POST.items() if k.startswith(("remedy-", "importance-"))
        }
        context = _context(request, survey, posted)
        context["errors"] = errors
        return render(request, "satisfaction/servqual.html", context, status=400)
    now = timezone.now()
    with transaction.atomic():
        for q in changed.values():
            q.remedy_by = request.user  # type: ignore[assignment]
            q.remedy_at = now
            q.save(update_fields=["remedy", "remedy_by", "remedy_at"])
        for q in reweighted.values():
            q.save(update_fields=["importance"])
    messages.success(
        request,
        _("已保存 %(n)s 条改进措施、%(w)s 个重要性权重。")
        % {"n": len(changed), "w": len(reweighted)},
    )
    url = request.path + (f"?view={request.GET['view']}" if request.GET.get("view") else "")
    return redirect(url)


@login_required
@permission_required(VIEW, raise_exception=True)
def servqual_export(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = get_object_or_404(Survey, pk=survey_id)
    context = _context(request, survey)
    data = sel.survey_data(survey)
    heading = exports_results.title(survey, data)
    sheets = [t.sheet(heading) for t in context["tables"].values()]
    name = f"guanxi-servqual-{survey.pk}-{context['view']}.xlsx"
    return xlsx_response(workbook(sheets), name)
