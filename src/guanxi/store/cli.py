"""``guanxi report store`` and ``guanxi report dsr``: the store figures of a period, and the
DSR trend against the industry (storing industry averages first when given)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, OutputWrapper
from rich.console import Console
from rich.table import Table

from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import Period
from guanxi.metrics.dsr import CAUSES, DIMENSIONS
from guanxi.metrics.store import METRICS, StoreFigures
from guanxi.performance import shop_settings
from guanxi.store import selectors as store_selectors
from guanxi.store import services as industry_services
from guanxi.store.exports.dsr import dsr_json
from guanxi.web.cli import cli_month
from guanxi.web.exports.values import json_value, text_value


def report_store(out: OutputWrapper, period: Period, fmt: str) -> None:
    figures = store_selectors.store_period_figures(period)
    if fmt == "json":
        out.write(json.dumps(as_json(figures), ensure_ascii=False, indent=2))
    else:
        print_table(out, figures)


def report_dsr(out: OutputWrapper, err: OutputWrapper, options: dict[str, Any]) -> None:
    if options["months"] < 1 or (options["window"] is not None and options["window"] < 1):
        raise CommandError("--months and --window must be at least 1", returncode=2)
    if options["industry"] is not None:
        try:
            stored = industry_services.industry_import(options["industry"])
        except UserInputError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        err.write(f"Stored {stored} industry averages.")
    last = cli_month(options["last"]) if options["last"] else store_selectors.latest_dsr_month()
    if last is None:
        out.write("No DSR ratings in the lake yet. 还没有店铺评分数据。")
        return
    months = store_selectors.dsr_trend(last, options["months"], options["window"])
    if options["format"] == "json":
        out.write(json.dumps(dsr_json(months), ensure_ascii=False, indent=2))
        return
    console = Console(file=out, width=120)  # type: ignore[arg-type]
    unit, length = ("month", options["window"]) if options["window"] else shop_settings.dsr_window()
    table = Table(title=f"店铺动态评分 DSR (rolling {length} {unit}s)")
    table.add_column("月份 month")
    for _key, zh, _en in DIMENSIONS:
        table.add_column(zh, justify="right")
    for m in months:
        cells = []
        for key, _zh, _en in DIMENSIONS:
            score, mark = m.scores[key], m.industry[key]
            arrow = {"up": " ↑", "down": " ↓"}.get(m.trend[key], "")
            text = "—" if score is None else f"{score}"
            cells.append(text + (f" / {mark}{arrow}" if mark is not None else ""))
        table.add_row(f"{m.month:%Y-%m}", *cells)
    console.print(table)
    latest = months[-1]
    for key in latest.below_industry:
        causes, remedies = CAUSES[key]
        zh = next(z for k, z, _e in DIMENSIONS if k == key)
        console.print(f"⚠ {zh} below industry: causes {causes}; remedies {remedies}")


def as_json(figures: StoreFigures) -> dict[str, Any]:
    out: dict[str, Any] = {"from": str(figures.period.start), "to": str(figures.period.end)}
    for metric in METRICS:
        out[metric.key] = json_value(getattr(figures, metric.key), metric.kind)
    out["has_data"] = figures.has_data
    return out


def print_table(out: OutputWrapper, figures: StoreFigures) -> None:
    console = Console(file=out, width=100)  # type: ignore[arg-type]
    title = f"店铺概况 Store figures {figures.period.start} – {figures.period.end}"
    table = Table(title=title)
    for column in ("key", "指标", "metric", "value"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for metric in METRICS:
        value = text_value(getattr(figures, metric.key), metric.kind)
        table.add_row(metric.key, metric.name_zh, metric.name_en, value)
    console.print(table)
    if not figures.has_data:
        console.print(
            "No data in this period: the lake has no traffic, chats or orders "
            "for these days. 本期间没有数据。"
        )
