"""The insight overview (总览与运行): the four model families with their serving run's
headline figures, a "run now" form each, the run history with live progress bars, a run's
detail page, a small JSON poll endpoint and the history's exports.

Reading: ``insight.view_modelrun``; running: ``insight.run_models``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import UserInputError
from guanxi.insight import exports_runs, presenters, runs, selectors
from guanxi.insight.forms_runs import RunForm
from guanxi.insight.models import RunKind, RunState
from guanxi.web.responses import xlsx_response

VIEW = "insight.view_modelrun"
RUN = "insight.run_models"


def _overview_context(request: HttpRequest, bound: RunForm | None = None) -> dict[str, Any]:
    can_run = request.user.has_perm(RUN)
    cards = []
    for family in selectors.families():
        form = bound if bound is not None and bound.kind == family.kind else RunForm(family.kind)
        cards.append(
            {
                "family": family,
                "headline": presenters.headline(family.serving),
                "latest_state": presenters.state_text(family.latest) if family.latest else "",
                "form": form if can_run and family.installed else None,
            }
        )
    recent = list(selectors.history())
    history = [{"run": run, "state": presenters.state_text(run)} for run in recent]
    return {
        "nav": "insight",
        "insight_tab": "overview",
        "cards": cards,
        "history": history,
        "can_run": can_run,
        "active": any(run.state in (RunState.QUEUED, RunState.RUNNING) for run in recent),
    }


@login_required
@permission_required(VIEW, raise_exception=True)
def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "insight/overview.html", _overview_context(request))


@login_required
@permission_required(RUN, raise_exception=True)
@require_POST
def run_now(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in RunKind.values:
        raise Http404("no such model")
    form = RunForm(kind, request.POST)
    if form.is_valid():
        try:
            run = runs.queue(kind, form.params, request.user)
        except UserInputError as error:
            # busy or not installed: said in the page's language beside the form
            form.add_error(None, _busy_text(kind, str(error)))
        else:
            messages.success(request, _("已开始运行 #%(id)s。") % {"id": run.pk})
            return redirect("insight:overview")
    return render(request, "insight/overview.html", _overview_context(request, form), status=400)


def _busy_text(kind: str, english: str) -> str:
    if "already queued or running" in english:
        return _("这个模型已有一次运行在排队或进行中，请等它结束。")
    if "not installed" in english:
        return _("这个模型尚未安装。")
    return english


@login_required
@permission_required(VIEW, raise_exception=True)
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(run_id)
    if run is None:
        raise Http404("no such run")
    context = {
        "nav": "insight",
        "insight_tab": "overview",
        "run": run,
        "state": presenters.state_text(run),
        "params": [
            {"label": _(p.label), "name": p.name, "value": run.params.get(p.name, "—")}
            for p in runs.params_of(run.kind)
        ]
        + [
            {"label": name, "name": name, "value": value}
            for name, value in run.params.items()
            if name not in {p.name for p in runs.params_of(run.kind)}
        ],
        "metrics": presenters.metric_rows(run.metrics),
        "active": run.state in (RunState.QUEUED, RunState.RUNNING),
    }
    return render(request, "insight/run_detail.html", context)


@login_required
@permission_required(VIEW, raise_exception=True)
def run_metrics_json(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(run_id)
    if run is None:
        raise Http404("no such run")
    response = HttpResponse(
        presenters.pretty_json(run.metrics), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="guanxi-run-{run.pk}-metrics.json"'
    return response


@login_required
@permission_required(VIEW, raise_exception=True)
def progress(request: HttpRequest) -> JsonResponse:
    """The state of the runs named in ``?ids=1,2`` (the overview polls while one runs)."""
    try:
        ids = [int(x) for x in request.GET.get("ids", "").split(",") if x.strip()][:50]
    except ValueError:
        return JsonResponse({"detail": "ids: give run numbers separated by commas"}, status=400)
    rows = [
        {
            "id": run.pk,
            "state": run.state,
            "state_label": presenters.state_text(run),
            "progress": run.progress,
            "step": run.step,
            "done": run.state in (RunState.DONE, RunState.FAILED),
        }
        for run in selectors.runs_by_id(ids)
    ]
    return JsonResponse({"runs": rows})


@login_required
@permission_required(VIEW, raise_exception=True)
def history_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("export as .csv or .xlsx")
    rows = list(selectors.history(limit=1000))
    if fmt == "xlsx":
        return xlsx_response(exports_runs.as_xlsx(rows), "guanxi-model-runs.xlsx")
    response = HttpResponse(exports_runs.as_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="guanxi-model-runs.csv"'
    return response
