"""How survey results are shown and written out: labelled tables (one set of rows feeds the
page, the XLSX, the CSV and the command line's table, so a figure reads the same
everywhere), the Plotly charts' data (the numbers are in the tables beside them), JSON for
the API, and the text answers masked, searched, themed and classified.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.ingest.pii import KnownValues, mask_free_text
from guanxi.satisfaction import dimensions, measures
from guanxi.satisfaction import result_selectors as sel
from guanxi.satisfaction.models import QuestionKind, Survey, SurveyKind, SurveyState
from guanxi.stats import review_themes
from guanxi.web.exports.tables import Table, cell_text
from guanxi.web.exports.xlsx import Column

# ---------------------------------------------------------------- tables
# (``Table`` and ``cell_text`` are the shared ones of ``web.exports.tables``.)


def points(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def nps_text(n: measures.Nps | None) -> str:
    """ "30.00 [−18.41, 78.41]": the NPS in points with its 95 % interval."""
    if n is None or n.nps is None:
        return "—"
    return f"{n.nps:.2f} [{points(n.low)}, {points(n.high)}]"


def kind_label(survey: Survey) -> str:
    return str(SurveyKind(survey.kind).label) if survey.kind in SurveyKind.values else survey.kind


def state_label(survey: Survey) -> str:
    return str(SurveyState(survey.state).label) if survey.state in SurveyState.values else ""


def _headline(survey: Survey, f: sel.Figures) -> str:
    """The survey's headline figure as text: its kind's, else whatever it can show."""
    parts = []
    if f.csat is not None and survey.kind in (SurveyKind.CSAT, SurveyKind.CUSTOM):
        parts.append(f"CSAT {cell_text(f.csat.share, 'percent')}")
    if f.nps is not None and survey.kind in (SurveyKind.NPS, SurveyKind.CUSTOM):
        parts.append(f"NPS {nps_text(f.nps)}")
    if f.servqual is not None:
        parts.append(f"SERVQUAL {f.servqual:.2f}")
    if not parts and f.csat is not None:
        parts.append(f"CSAT {cell_text(f.csat.share, 'percent')}")
    if not parts and f.nps is not None:
        parts.append(f"NPS {nps_text(f.nps)}")
    return " · ".join(parts) or "—"


def overview_table(rows: Sequence[sel.SurveyRow]) -> Table:
    columns = [
        Column(_("问卷"), "text", 24),
        Column(_("类型"), "text", 16),
        Column(_("状态"), "text", 10),
        Column(_("邀请数"), "count", 10),
        Column(_("答复数"), "count", 10),
        Column(_("回收率"), "percent", 10),
        Column(_("主要指标"), "text", 34),
    ]
    values = [
        [
            r.survey.name,
            kind_label(r.survey),
            state_label(r.survey),
            r.invitations,
            r.figures.responses,
            r.figures.rate.rate if r.figures.rate else None,
            _headline(r.survey, r.figures),
        ]
        for r in rows
    ]
    note = _(
        "回收率 = 已答复的邀请 ÷ 发出的邀请（已过期未答复的邀请也计入分母）。"
        "NPS 以点数表示，方括号内为 95% 置信区间。"
    )
    return Table("surveys", _("全部问卷"), columns, values, note)


BY_LABELS = {
    "period": lambda: _("月份"),
    "agent": lambda: _("客服"),
    "team": lambda: _("客服组"),
    "product": lambda: _("商品"),
    "segment": lambda: _("客户分群"),
}


def by_label(by: str) -> str:
    return str(BY_LABELS[by]())


def _none_label(by: str) -> str:
    return {"agent": _("未指定客服"), "team": _("未分组"), "product": _("未指定商品")}.get(by, "—")


def breakdown_table(
    survey: Survey, data: sel.SurveyData, groups: Sequence[sel.Group], by: str
) -> Table:
    has_csat = sel.csat_question(data.questions) is not None
    has_nps = sel.nps_question(data.questions) is not None
    has_sq = bool(sel.servqual_questions(data.questions))
    columns = [Column(by_label(by) if by != "all" else _("范围"), "text", 22)]
    columns += [Column(_("邀请数"), "count", 10), Column(_("回收率"), "percent", 10)]
    columns.append(Column(_("答复数"), "count", 10))
    if has_csat:
        columns += [
            Column(_("评分人数"), "count", 10),
            Column(_("CSAT（4–5 分占比）"), "percent", 14),
            Column(_("平均分（1–5）"), "ratio", 12),
        ]
    if has_nps:
        columns += [
            Column(_("推荐者"), "count", 9),
            Column(_("被动者"), "count", 9),
            Column(_("贬损者"), "count", 9),
            Column("NPS", "ratio", 9),
            Column(_("95% 区间下限"), "ratio", 12),
            Column(_("95% 区间上限"), "ratio", 12),
        ]
    if has_sq:
        columns.append(Column(_("SERVQUAL 得分"), "ratio", 12))
    rows = []
    for g in groups:
        f = g.figures
        row: list[Any] = [g.label if g.key != sel.NOBODY else _none_label(by)]
        row += [f.rate.sent, f.rate.rate]
        row.append(f.responses)
        if has_csat:
            c = f.csat or measures.csat([])
            row += [c.n, c.share, c.mean]
        if has_nps:
            n = f.nps or measures.nps([])
            row += [n.promoters, n.passives, n.detractors, n.nps, n.low, n.high]
        if has_sq:
            row.append(f.servqual)
        rows.append(row)
    note = _(
        "NPS = 推荐者（9–10 分）占比 − 贬损者（0–6 分）占比，单位为点；95% 区间按 "
        "NPS ± 1.96·√((p推 + p贬 − (p推 − p贬)²) ÷ n) 计算并截取在 [−100, 100] 内；"
        "少于 30 份答复时区间仅供参考。"
    )
    if by == "segment":
        note += " " + _("一位答卷人可属于多个分群；分群按客户编号（假名）匹配。")
    if by == "all":
        return Table("overall", _("总体"), columns, rows, note)
    return Table(f"by-{by}", _("按%(by)s") % {"by": by_label(by)}, columns, rows, note)


def overall_table(survey: Survey, data: sel.SurveyData) -> Table:
    """The survey's figures over the whole period, as one row of the breakdown's columns."""
    label = _("全部答复") if data.period is None else f"{data.period.start} – {data.period.end}"
    return breakdown_table(survey, data, [sel.Group("all", label, sel.figures(data))], "all")


def question_tables(qfs: Sequence[sel.QuestionFigures]) -> list[tuple[sel.QuestionFigures, Table]]:
    out = []
    for qf in qfs:
        q = qf.question
        if q.kind == QuestionKind.TEXT:
            continue
        total = sum(n for _v, n in qf.counts)
        columns = [
            Column(
                _("选项") if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else _("分值"),
                "text",
                16,
            ),
            Column(_("人数"), "count", 10),
            Column(_("占比"), "percent", 10),
        ]
        rows = [[v, n, n / total if total else None] for v, n in qf.counts]
        note = ""
        if q.kind == QuestionKind.MULTIPLE:
            note = _("多选题：占比为各选项被选次数 ÷ 全部选择次数。")
        if q.kind == QuestionKind.SERVQUAL:
            note = _("SERVQUAL 条目：此处为实际感受分数的分布。")
        out.append(
            (qf, Table(f"q{q.pk}", q.text, columns, rows, f"{question_summary(qf)} {note}".strip()))
        )
    return out


def nps_groups(n: measures.Nps) -> list[tuple[str, int, str]]:
    """The NPS bars: (label, count, share as text)."""
    total = n.n

    def share(count: int) -> str:
        return cell_text(count / total if total else None, "percent")

    return [
        (_("推荐者（9–10）"), n.promoters, share(n.promoters)),
        (_("被动者（7–8）"), n.passives, share(n.passives)),
        (_("贬损者（0–6）"), n.detractors, share(n.detractors)),
    ]


def question_summary(qf: sel.QuestionFigures) -> str:
    """ "12 answered · mean 4.25 · CSAT 75.00% · NPS 30.00 [−18.41, 78.41]"."""
    parts = [_("%(n)s 人作答") % {"n": qf.answered}]
    if qf.mean is not None:
        parts.append(_("平均分 %(m)s") % {"m": points(qf.mean)})
    if qf.csat is not None and qf.csat.share is not None:
        parts.append(f"CSAT {cell_text(qf.csat.share, 'percent')}")
    if qf.nps is not None and qf.nps.nps is not None:
        parts.append(f"NPS {nps_text(qf.nps)}")
    return " · ".join(parts)


# ---------------------------------------------------------------- SERVQUAL


def dimension_label(code: str) -> str:
    return dimensions.label(code) if code else _("未归入维度")


def servqual_tables(sq: measures.Servqual, questions: dict[Any, Any]) -> dict[str, Table]:
    item_cols = [
        Column(_("条目"), "text", 30),
        Column(_("维度"), "text", 12),
        Column(_("答卷人数"), "count", 10),
        Column(_("期望"), "ratio", 9),
        Column(_("感受"), "ratio", 9),
        Column(_("差距"), "ratio", 9),
        Column(_("权重"), "score", 9),
        Column(_("加权差距"), "score", 11),
    ]

    def item_row(i: measures.ItemGap) -> list[Any]:
        q = questions.get(i.key)
        return [
            q.text if q is not None else str(i.key),
            dimension_label(i.dimension),
            i.n,
            i.expected,
            i.perceived,
            i.gap,
            round(i.weight, 4),
            round(i.weighted, 4) if i.weighted is not None else None,
        ]

    dim_cols = [
        Column(_("维度"), "text", 14),
        Column(_("条目数"), "count", 9),
        Column(_("期望"), "ratio", 9),
        Column(_("感受"), "ratio", 9),
        Column(_("差距"), "ratio", 9),
        Column(_("权重"), "score", 9),
        Column(_("加权差距"), "score", 11),
    ]
    dims = [
        [
            dimension_label(d.dimension),
            d.items,
            d.expected,
            d.perceived,
            d.gap,
            round(d.weight, 4),
            round(d.weighted, 4) if d.weighted is not None else None,
        ]
        for d in sq.dimensions
    ]
    rank_cols = [Column(_("优先级"), "count", 8), *item_cols, Column(_("改进措施"), "text", 40)]
    ranked = []
    for pos, i in enumerate(sq.ranking, start=1):
        q = questions.get(i.key)
        ranked.append([pos, *item_row(i), q.remedy if q is not None else ""])
    note = _(
        "差距 = 实际感受平均分 − 期望平均分（只计两项都作答的答卷人）；权重 = 条目重要性 ÷ "
        "全部条目重要性之和（合计为 1）；加权差距 = 差距 × 权重；维度的差距为其条目差距的"
        "平均，加权差距为其条目加权差距之和；SERVQUAL 得分 = 加权平均差距。"
    )
    return {
        "items": Table(
            "servqual-items", _("条目差距"), item_cols, [item_row(i) for i in sq.items], note
        ),
        "dimensions": Table("servqual-dimensions", _("维度差距"), dim_cols, dims),
        "ranking": Table(
            "servqual-ranking",
            _("优先改进（负差距按加权差距从小到大）"),
            rank_cols,
            ranked,
            _("感受低于期望的条目排在最前，加权差距越小越优先；没有答卷的条目排在最后。"),
        ),
    }


def servqual_chart(sq: measures.Servqual) -> dict[str, Any]:
    dims = [d for d in sq.dimensions if d.gap is not None]
    return {
        "title": _("各维度差距（感受 − 期望）"),
        "labels": [dimension_label(d.dimension) for d in dims],
        "gaps": [round(d.gap or 0.0, 4) for d in dims],
        "weighted": [round(d.weighted or 0.0, 4) for d in dims],
        "gap_name": _("差距"),
        "weighted_name": _("加权差距"),
    }


# ---------------------------------------------------------------- text answers


@dataclass(frozen=True)
class TextRow:
    day: str
    question: str
    text: str  # as the user may see it (masked unless they may reveal)
    label: str  # positive / neutral / negative
    score: float
    themes: list[str]


SENTIMENT_LABELS = {
    "positive": lambda: _("正面"),
    "neutral": lambda: _("中性"),
    "negative": lambda: _("负面"),
}


def sentiment_label(code: str) -> str:
    return str(SENTIMENT_LABELS[code]()) if code in SENTIMENT_LABELS else code


def theme_label(code: str, lang: str) -> str:
    zh, en = review_themes.LABELS.get(code, (code, code))
    return en if lang.startswith("en") else zh


def shown_texts(answers: Sequence[sel.TextAnswer], reveal: bool) -> list[str]:
    """The answers' texts as the user may see them: masked with what the master knows about
    each respondent (``ingest.pii.mask_free_text``) unless they may reveal personal data."""
    texts = [a.text for a in answers]
    if reveal:
        return texts
    from guanxi.customers.selectors import known_values

    known = known_values(a.customer_key for a in answers)
    return [mask_free_text([a.text], known.get(a.customer_key, KnownValues()))[0] for a in answers]


def text_rows(answers: Sequence[sel.TextAnswer], *, reveal: bool, query: str = "") -> list[TextRow]:
    """The text answers masked (unless ``reveal``), filtered by ``query`` and classified.

    The search runs over the texts as shown: a user who sees masked texts cannot find an
    answer by the phone number it hides."""
    from guanxi.satisfaction.sentiment_service import classify

    shown = shown_texts(answers, reveal)
    needle = query.strip().casefold()
    kept = [(a, t) for a, t in zip(answers, shown, strict=True) if needle in t.casefold()]
    if not kept:
        return []
    # sentiment and themes read the answer as written (labels reveal nothing)
    results = classify([a.text for a, _t in kept])
    return [
        TextRow(str(a.day), a.question.text, t, r.label, r.score, list(r.themes))
        for (a, t), r in zip(kept, results, strict=True)
    ]


def theme_counts(rows: Sequence[TextRow]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(review_themes.THEMES, 0)
    for r in rows:
        for t in r.themes:
            counts[t] = counts.get(t, 0) + 1
    return list(counts.items())


def text_table(rows: Sequence[TextRow], lang: str) -> Table:
    columns = [
        Column(_("日期"), "text", 12),
        Column(_("问题"), "text", 24),
        Column(_("回答（已遮盖个人信息）"), "text", 60),
        Column(_("情感"), "text", 8),
        Column(_("正面概率"), "ratio", 10),
        Column(pgettext("text themes", "主题"), "text", 24),
    ]
    values = [
        [
            r.day,
            r.question,
            r.text,
            sentiment_label(r.label),
            r.score,
            "、".join(theme_label(t, lang) for t in r.themes),
        ]
        for r in rows
    ]
    return Table("text-answers", _("文字回答"), columns, values)


# ---------------------------------------------------------------- JSON


def nps_json(n: measures.Nps | None) -> dict[str, Any] | None:
    if n is None:
        return None
    return {
        "nps": _round(n.nps),
        "promoters": n.promoters,
        "passives": n.passives,
        "detractors": n.detractors,
        "n": n.n,
        "low": _round(n.low),
        "high": _round(n.high),
        "small_sample": n.small,
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def figures_json(f: sel.Figures) -> dict[str, Any]:
    return {
        "responses": f.responses,
        "invitations": f.rate.sent if f.rate else None,
        "response_rate": _round(f.rate.rate, 4) if f.rate else None,
        "csat": None
        if f.csat is None
        else {
            "n": f.csat.n,
            "satisfied": f.csat.satisfied,
            "share": _round(f.csat.share, 4),
            "mean": _round(f.csat.mean, 4),
        },
        "nps": nps_json(f.nps),
        "servqual_score": _round(f.servqual, 4),
    }


def survey_json(row: sel.SurveyRow) -> dict[str, Any]:
    s = row.survey
    return {
        "id": s.pk,
        "name": s.name,
        "kind": s.kind,
        "state": s.state,
        **figures_json(row.figures),
        "invitations": row.invitations,
    }


def servqual_json(sq: measures.Servqual, questions: dict[Any, Any]) -> dict[str, Any]:
    def item(i: measures.ItemGap) -> dict[str, Any]:
        q = questions.get(i.key)
        return {
            "question": i.key,
            "text": q.text if q is not None else "",
            "dimension": i.dimension,
            "n": i.n,
            "expected": _round(i.expected, 4),
            "perceived": _round(i.perceived, 4),
            "gap": _round(i.gap, 4),
            "weight": _round(i.weight, 4),
            "weighted_gap": _round(i.weighted, 4),
            "remedy": q.remedy if q is not None else "",
        }

    return {
        "score": _round(sq.score, 4),
        "items": [item(i) for i in sq.items],
        "dimensions": [
            {
                "dimension": d.dimension,
                "items": d.items,
                "expected": _round(d.expected, 4),
                "perceived": _round(d.perceived, 4),
                "gap": _round(d.gap, 4),
                "weight": _round(d.weight, 4),
                "weighted_gap": _round(d.weighted, 4),
            }
            for d in sq.dimensions
        ],
        "fix_first": [i.key for i in sq.ranking],
    }


def tile_texts(f: sel.Figures) -> dict[str, str]:
    """The page's headline texts: shares as percentages with two decimals."""
    return {
        "rate": cell_text(f.rate.rate, "percent") if f.rate else "—",
        "csat": cell_text(f.csat.share, "percent") if f.csat else "—",
        "csat_mean": points(f.csat.mean) if f.csat else "—",
        "nps": points(f.nps.nps) if f.nps else "—",
        "low": points(f.nps.low) if f.nps else "—",
        "high": points(f.nps.high) if f.nps else "—",
        "servqual": points(f.servqual),
    }
