"""What the satisfaction dashboard shows: each source's name, where it comes from and on
which scale, the balance's two columns, the verdict and its levers in the reader's
language, the tiles, the chart's data and the export's rows. "No data" is a label, never 0.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from guanxi.satisfaction import dashboard as model
from guanxi.satisfaction.dashboard_selectors import Dashboard
from guanxi.web.exports.xlsx import Column, Sheet
from guanxi.web.language import english


def source_names() -> dict[str, tuple[str, str]]:
    """key → (name, where it comes from)."""
    return {
        "survey_product": (
            _("问卷：商品质量与性价比"),
            _("问卷中指标为“商品质量”“性价比”的评分题"),
        ),
        "dsr_description": (_("DSR 宝贝与描述相符"), _("店铺动态评分，店铺的滚动窗口")),
        "good_rate": (_("好评率"), _("期间内的评价：4–5 星 ÷ 全部")),
        "survey_service": (_("问卷：服务与物流"), _("问卷中指标为“服务”“物流”的评分题")),
        "servqual_perceived": (_("SERVQUAL 感知得分"), _("SERVQUAL 条目中买家的实际感受")),
        "dsr_service": (_("DSR 卖家的服务态度"), _("店铺动态评分，店铺的滚动窗口")),
        "dsr_logistics": (_("DSR 物流服务"), _("店铺动态评分；物流计入服务价值")),
        "csat": (_("工单满意度 CSAT"), _("工单结束后的评分（1–5）")),
        "survey_expectation": (_("问卷：购前期望"), _("问卷中指标为“购前期望”的评分题")),
        "servqual_expected": (_("SERVQUAL 期望得分"), _("SERVQUAL 条目中买家的期望")),
        "past_ratings": (
            _("以往消费经历"),
            _("期间内评价的老客户在此之前给本店的平均星级（不可控因素）"),
        ),
    }


def scale_text(scale: str) -> str:
    return {
        model.RATING5: _("1–5 分：(r−1)÷4×100"),
        model.SHARE: _("比率 × 100"),
        "mixed": _("问卷评分：1–5 分 (r−1)÷4×100，0–10 分 ×10，SERVQUAL (r−1)÷(上限−1)×100"),
    }.get(scale, scale)


def _raw_text(s: model.Source) -> str:
    if s.raw is None:
        return "—"
    if s.scale == model.SHARE:
        return f"{s.raw * 100:.1f}%"
    if s.scale == model.RATING5:
        return f"{s.raw:.3f}" if s.key.startswith("dsr") else f"{s.raw:.2f}"
    return f"{s.raw:.1f}"


def _value_text(value: float | None) -> str:
    return _("无数据") if value is None else f"{value:.1f}"


def side_rows(board: Dashboard, side: str) -> list[dict[str, Any]]:
    names = source_names()
    return [
        {
            "key": s.key,
            "name": names[s.key][0],
            "origin": names[s.key][1],
            "scale": scale_text(s.scale),
            "raw": _raw_text(s),
            "n": s.n,
            "value": _value_text(s.value),
            "available": s.available,
        }
        for s in board.sources
        if s.side == side
    ]


def balance_view(board: Dashboard) -> dict[str, Any]:
    b = board.balance
    return {
        "product": _value_text(b.product),
        "service": _value_text(b.service),
        "perceived": _value_text(b.perceived),
        "partial": b.perceived_partial,
        "expectation": _value_text(b.expectation),
        "gap": None if b.gap is None else f"{b.gap:+.1f}",
        "verdict": b.verdict,
        "tilt": _tilt(b),
        "product_rows": side_rows(board, model.PRODUCT),
        "service_rows": side_rows(board, model.SERVICE),
        "expectation_rows": side_rows(board, model.EXPECTATION),
        "levers": [model.LEVERS[k][1 if english() else 0] for k in b.levers],
    }


def _tilt(b: model.Balance) -> int:
    """The beam's rotation in degrees (CSS, clockwise): the heavier side goes down, at most
    8°; perception is drawn on the left, so a positive gap turns the beam anticlockwise."""
    if b.gap is None:
        return 0
    return -max(-8, min(8, round(b.gap / 2)))


def _pct(value: float | None) -> str:
    return _("无数据") if value is None else f"{value * 100:.1f}%"


def tiles(board: Dashboard) -> list[dict[str, Any]]:
    r, d, c, ch = board.reviews, board.dsr, board.csat, board.churn
    dsr_parts = [
        f"{name} {d.scores[key]:.3f}"
        for key, name in (
            ("description", _("描述")),
            ("service", _("服务")),
            ("logistics", _("物流")),
        )
        if d.scores.get(key) is not None
    ]
    return [
        {
            "key": "good_rate",
            "label": _("好评率"),
            "value": _pct(r.good_rate),
            "note": _("%(good)s / %(n)s 条评价为 4–5 星") % {"good": r.good, "n": r.reviews},
        },
        {
            "key": "churn",
            "label": _("流失率（近 %(m)s 个月）") % {"m": ch.months if ch else 12},
            "value": _pct(ch.rate if ch else None),
            "note": (
                _("前一窗口的 %(p)s 位买家中 %(l)s 位未再购买（客户保持度的另一面）")
                % {"p": ch.previous_buyers, "l": ch.previous_buyers - ch.retained}
                if ch and ch.rate is not None
                else _("前一窗口没有买家，无法计算")
            ),
        },
        {
            "key": "dsr",
            "label": _("店铺评分 DSR"),
            "value": " · ".join(dsr_parts) if dsr_parts else _("无数据"),
            "note": (
                _("%(month)s 的滚动窗口，%(n)s 条评分")
                % {"month": f"{d.month:%Y-%m}", "n": d.ratings}
                if d.month
                else _("还没有评分数据")
            ),
        },
        {
            "key": "csat",
            "label": _("工单满意度 CSAT"),
            "value": _("无数据") if c.csat_pct is None else f"{c.csat_pct:.1f}%",
            "note": (
                _("%(a)s 份回答，平均 %(m)s 分；满意 = 4–5 分") % {"a": c.answered, "m": c.mean}
                if c.answered
                else _("期间内没有工单评分")
            ),
        },
    ]


def word_of_mouth_view(board: Dashboard) -> dict[str, Any]:
    w = board.word_of_mouth
    return {
        "satisfied": w.satisfied,
        "unsatisfied": w.unsatisfied,
        "reach_satisfied": w.reach_satisfied,
        "reach_unsatisfied": w.reach_unsatisfied,
        "reach": w.reach,
        "unsatisfied_share": _pct(w.unsatisfied_share),
        "from_reviews_good": board.reviews.good,
        "from_reviews_bad": board.reviews.bad,
        "from_csat_good": board.csat.satisfied,
        "from_csat_bad": board.csat.unsatisfied,
    }


def chart(board: Dashboard) -> dict[str, Any]:
    """Horizontal bars on 0–100, one per source with data, coloured by side, plus the three
    totals (JSON-safe; sources without data are left out of the bars, not drawn at 0)."""
    names = source_names()
    side_names = {
        model.PRODUCT: _("商品价值"),
        model.SERVICE: _("服务价值"),
        model.EXPECTATION: _("客户预期"),
    }
    bars = [
        {"label": names[s.key][0], "value": s.value, "side": s.side, "n": s.n}
        for s in board.sources
        if s.available
    ]
    b = board.balance
    totals = [
        {"label": _("感知价值"), "value": b.perceived, "side": "perceived", "n": 0},
        {"label": side_names[model.EXPECTATION], "value": b.expectation, "side": "total", "n": 0},
    ]
    return {
        "bars": bars + [t for t in totals if t["value"] is not None],
        "sides": side_names | {"perceived": _("感知价值（合计）"), "total": _("客户预期（合计）")},
    }


def export_sheet(board: Dashboard) -> Sheet:
    names = source_names()
    side_names = {
        model.PRODUCT: _("商品价值"),
        model.SERVICE: _("服务价值"),
        model.EXPECTATION: _("客户预期"),
    }
    rows: list[list[Any]] = [
        [
            side_names[s.side],
            names[s.key][0],
            names[s.key][1],
            scale_text(s.scale),
            s.raw,
            s.n,
            s.value,
        ]
        for s in board.sources
    ]
    b, w = board.balance, board.word_of_mouth
    notes = [
        _("商品价值 %(p)s；服务价值 %(s)s；感知价值 %(v)s；客户预期 %(e)s；差距 %(g)s")
        % {
            "p": _value_text(b.product),
            "s": _value_text(b.service),
            "v": _value_text(b.perceived),
            "e": _value_text(b.expectation),
            "g": "—" if b.gap is None else f"{b.gap:+.1f}",
        },
        _("口碑传播估计：%(s)s × 12 + %(u)s × 20 = %(r)s 人")
        % {"s": w.satisfied, "u": w.unsatisfied, "r": w.reach},
        assumption(),
    ]
    return Sheet(
        name=_("满意度总览"),
        title=_("满意度总览 %(start)s – %(end)s")
        % {"start": board.period.start, "end": board.period.end},
        columns=[
            Column(_("侧"), width=10),
            Column(_("来源"), width=24),
            Column(_("说明"), width=36),
            Column(_("换算"), width=30),
            Column(_("原始值"), "ratio", 10),
            Column(_("样本数"), "count", 10),
            Column(_("0–100 分"), "points", 10),
        ],
        rows=rows,
        notes=notes,
    )


def assumption() -> str:
    return _("每位满意的买家至少告诉 12 人、不满意的至少 20 人 — 课程资料的经验值，不是本店测量。")
