"""A survey's results and its text answers as XLSX (a sheet per table) and CSV (the tables
one after the other), through ``web.exports``: numbers stay numbers, no cell becomes a
formula. Text answers are always exported masked, whoever downloads them: a file leaves the
shop's control, and the page's reveal is for reading one answer, not for copying them all."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.satisfaction import result_presenters as presenters
from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import Survey
from guanxi.web.exports.tables import Table, tables_csv
from guanxi.web.exports.xlsx import Column, Sheet, workbook


def results_tables(survey: Survey, data: sel.SurveyData) -> list[Table]:
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


def _sheets(tables: Sequence[Table], heading: str) -> list[Sheet]:
    # sheet names must be unique and ≤ 31 characters: number the question sheets
    return [
        t.sheet(heading, name=t.key if not t.key.startswith("q") else f"{n:02d}-{t.key}")
        for n, t in enumerate(tables, start=1)
    ]


def results_xlsx(survey: Survey, data: sel.SurveyData) -> bytes:
    return workbook(_sheets(results_tables(survey, data), title(survey, data)))


def results_csv(survey: Survey, data: sel.SurveyData) -> str:
    return tables_csv(results_tables(survey, data), title(survey, data))


def text_tables(rows: Sequence[presenters.TextRow], lang: str) -> list[Table]:
    counts = presenters.theme_counts(rows)
    themes = Table(
        "themes",
        _("主题计数"),
        [Column(pgettext("text themes", "主题"), "text", 16), Column(_("回答数"), "count", 10)],
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
    return tables_csv(text_tables(rows, lang), title(survey, data))
