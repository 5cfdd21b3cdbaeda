"""The churn risk page (``/insight/churn/``) and its at-risk list's CSV/XLSX exports.

Read with ``insight.view_modelrun`` (admins, managers, marketing). Names are masked on the
page and in the exports for every role — there is no reveal here: the list is for planning
care, and the profile (with its audited reveal) is one click away.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from guanxi.core.audit import audit_record
from guanxi.core.models import AuditAction
from guanxi.insight import churn_presenters as present
from guanxi.insight import churn_selectors as select
from guanxi.insight.models import ModelRun
from guanxi.web.exports.xlsx import Column, Sheet, workbook
from guanxi.web.responses import csv_stream_response, xlsx_response

VIEW = "insight.view_modelrun"
EXPORT = ("insight.view_modelrun", "customers.export_customers")


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def churn_page(request: HttpRequest) -> HttpResponse:
    run = select.serving_run()
    context: dict = {
        "nav": "insight",
        "insight_tab": "churn",
        "run": run,
        "failed": select.latest_failed(run),
    }
    if run is not None and "model" in run.metrics:
        m = run.metrics
        beats, verdict = present.verdict(m)
        rows = select.at_risk(run)
        context |= {
            "m": m,
            "model": present.figures(m, "model"),
            "baseline": present.figures(m, "baseline"),
            "beats": beats,
            "verdict": verdict,
            "calibration": present.calibration_rows(m),
            "deciles": present.decile_rows(m),
            "chart": present.chart(m),
            "at_risk": present.at_risk_rows(rows),
            "at_risk_total": m.get("valuable_at_risk", len(rows)),
            "held_rate": f"{m['held_churn_rate'] * 100:.1f}%",
            "share_pct": f"{m.get('valuable_share', 0.2) * 100:.0f}%",
            "risk_pct": f"{m.get('at_risk', 0.5) * 100:.0f}%",
        }
    return render(request, "insight/churn.html", context)


def _export_rows(request: HttpRequest) -> tuple[ModelRun, list[select.AtRisk]]:
    run = select.serving_run()
    user = request.user
    if run is None or isinstance(user, AnonymousUser):
        raise PermissionDenied
    rows = select.at_risk(run, limit=None)
    # Audited before the file is written: an interrupted download was still an export.
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        fields="customer_key, name (masked), churn_risk, churn_reasons",
        subject=f"churn at risk run={run.pk}; masked",
        row_count=len(rows),
    )
    return run, rows


@login_required
@permission_required(EXPORT, raise_exception=True)
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    run, rows = _export_rows(request)
    lines = (present.export_row(r) for r in rows)
    return csv_stream_response(present.export_header(), lines, f"churn-at-risk-{run.pk}.csv")


@login_required
@permission_required(EXPORT, raise_exception=True)
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    run, rows = _export_rows(request)
    kinds = ["text", "text", "percent", "text", "text", "text"]
    widths = [16, 10, 10, 40, 40, 40]
    columns = [
        Column(h, k, w) for h, k, w in zip(present.export_header(), kinds, widths, strict=True)
    ]
    title = _("流失风险：有价值且有流失风险的客户（运行 #%(run)s）") % {"run": run.pk}
    sheet = Sheet(_("流失风险"), title, columns, [present.export_row(r) for r in rows])
    return xlsx_response(workbook([sheet]), f"churn-at-risk-{run.pk}.xlsx")
