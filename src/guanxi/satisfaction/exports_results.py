"""A survey's results and its text answers as XLSX (a sheet per table) and CSV (the tables
one after the other), through ``web.exports``: numbers stay numbers, no cell becomes a
formula. Text answers are always exported masked, whoever downloads them: a file leaves the
shop's control, and the page's reveal is for reading one answer, not for copying them all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from guanxi.satisfaction import result_presenters as presenters
from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import Survey
from guanxi.web.exports.safe import csv_text
from guanxi.web.exports.xlsx import workbook


def results_tables(survey: Survey, data: sel.SurveyData) -> list[presenters.Table]:
    """Every table of the survey's results page: the overall figures, each breakdown, each
    question, SERVQUAL."""
    tables = [presenters.overall_table(survey, data)]
    tables += [
        presenters.breakdown_table(survey, data, sel.breakdown(data, by), by) for by in sel.BY
    ]
    tables += [t for _qf, t in presenters.question_tables(sel.question_figures(data))]
    items = sel.servqual_questions(data.questions)
    if items:
        sq = sel.servqual_of(data)
        tables += list(presenters.servqual_tables(sq, {q.pk: q for q in items}).values())
    return tables


def title(survey: Survey, data: sel.SurveyData) -> str:
    if data.period is None:
        return _("%(name)s：全部答复") % {"name": survey.name}
    return _("%(name)s：%(start)s 至 %(end)s") % {
        "name": survey.name,
        "start": data.period.start,
        "end": data.period.end,
    }


def _sheets(tables: Sequence[presenters.Table], heading: str) -> list[Any]:
    sheets = []
    for n, t in enumerate(tables, start=1):
        sheet = t.sheet()
        # sheet names must be unique and ≤ 31 characters: number the question sheets
        name = sheet.name if not t.key.startswith("q") else f"{n:02d}-{t.key}"
        sheets.append(
            type(sheet)(name[:31], f"{heading} · {t.title}", sheet.columns, sheet.rows, sheet.notes)
        )
    return sheets


def results_xlsx(survey: Survey, data: sel.SurveyData) -> bytes:
    return workbook(_sheets(results_tables(survey, data), title(survey, data)))


def _csv(tables: Sequence[presenters.Table], heading: str) -> str:
    lines: list[list[Any]] = [[heading], []]
    for t in tables:
        lines.append([t.title])
        lines.append([c.header for c in t.columns])
        lines.extend(t.rows)
        if t.note:
            lines.append([t.note])
        lines.append([])
    return csv_text(lines)


def results_csv(survey: Survey, data: sel.SurveyData) -> str:
    return _csv(results_tables(survey, data), title(survey, data))


def text_tables(rows: Sequence[presenters.TextRow], lang: str) -> list[presenters.Table]:
    counts = presenters.theme_counts(rows)
    from guanxi.web.exports.xlsx import Column

    themes = presenters.Table(
        "themes",
        _("主题计数"),
        [Column(_("主题"), "text", 16), Column(_("回答数"), "count", 10)],
        [[presenters.theme_label(k, lang), n] for k, n in counts],
    )
    return [presenters.text_table(rows, lang), themes]


def text_xlsx(
    survey: Survey, data: sel.SurveyData, rows: Sequence[presenters.TextRow], lang: str
) -> bytes:
    return workbook(_sheets(text_tables(rows, lang), title(survey, data)))


def text_csv(
    survey: Survey, data: sel.SurveyData, rows: Sequence[presenters.TextRow], lang: str
) -> str:
    return _csv(text_tables(rows, lang), title(survey, data))
