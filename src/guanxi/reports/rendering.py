"""The monthly report as template context and as one self-contained HTML document (inline
CSS and SVG, no scripts) for the PDF and ``guanxi report monthly``."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from guanxi.accounts.models import Agent
from guanxi.reports import presenters
from guanxi.reports.monthly import MonthlyReport
from guanxi.servicedesk import report_presenters as desk_presenters
from guanxi.store import presenters as store_presenters


def context(report: MonthlyReport) -> dict[str, Any]:
    names = dict(Agent.objects.values_list("agent_id", "name"))
    score_headers, score_rows = presenters.score_table(report)
    funnel_rows = (
        store_presenters.funnel_rows(report.funnel, report.funnel_previous)
        if report.funnel is not None and report.funnel_previous is not None
        else []
    )
    return {
        "report": report,
        "month_text": f"{report.month.start:%Y-%m}",
        "previous_text": f"{report.previous_month.start:%Y-%m}",
        "overview": presenters.overview_rows(report),
        "agent_headers": presenters.agent_headers(),
        "agent_rows": presenters.agent_rows(report, names),
        "team_rows": presenters.team_rows(report),
        "score_headers": score_headers,
        "score_rows": score_rows,
        "dsr_rows": store_presenters.dsr_rows(report.dsr),
        "dsr_flags": store_presenters.dsr_flags(report.dsr),
        "dsr_names": store_presenters.dimension_names(),
        "has_dsr": any(m.ratings for m in report.dsr),
        "funnel_rows": funnel_rows,
        "charts": presenters.charts_for(report),
        "desk_tables": desk_tables(report),
    }


# The monthly report's service-desk section: the page's tables a manager reads first.
DESK_TABLES = ("open", "first_response", "resolution", "rates", "categories", "csat_tier")


def desk_tables(report: MonthlyReport) -> list[desk_presenters.Table]:
    if report.desk is None:
        return []
    shown = {t.key: t for t in desk_presenters.tables(report.desk)}
    return [shown[key] for key in DESK_TABLES]


def standalone_html(report: MonthlyReport) -> str:
    return render_to_string("reports/monthly_print.html", context(report))
