"""Subcommands of ``guanxi reviews`` owned by review analytics:

- ``goodrate --from D --to D [--by month|product] [--format table|json]``: 好评率 with the
  counts of 好/中/差评 per local month or per product, the period's total first;
- ``alerts [--refresh] [--format table|json]``: store the sentiment of reviews not yet
  scored and raise the bad-review alerts (``--refresh``, what runs after an import), then
  the response-tracking figures.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser, OutputWrapper
from rich.console import Console
from rich.table import Table

from guanxi.web.cli import cli_period
from guanxi.web.cli_subcommands import Subcommand
from guanxi.web.exports.values import text_value


def _goodrate_arguments(parser: CommandParser) -> None:
    parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
    parser.add_argument("--by", choices=("month", "product"), default="month")
    parser.add_argument("--format", choices=("table", "json"), default="table")


def _rate_json(key: str, value: Any, row: Any) -> dict[str, Any]:
    data: dict[str, Any] = row if isinstance(row, dict) else row.__dict__
    rate = data["good_rate"]
    return {
        key: value,
        **{k: data[k] for k in ("reviews", "good", "neutral", "bad")},
        "good_rate": None if rate is None else round(float(rate), 6),
    }


def goodrate(options: dict[str, Any], out: OutputWrapper) -> None:
    from guanxi.satisfaction import review_selectors

    period = cli_period(options["start"], options["end"])
    summary = review_selectors.good_rate_summary(period)
    if options["by"] == "month":
        rows = [
            _rate_json("month", f"{r['month']:%Y-%m}", r)
            for r in review_selectors.good_rate_by_month(period)
        ]
    else:
        rows = [
            _rate_json("product_id", r["product_id"], r)
            for r in review_selectors.good_rate_by_product(period)
        ]
    total = _rate_json("period", f"{period.start}/{period.end}", summary)
    if options["format"] == "json":
        out.write(
            json.dumps(
                {"total": total, "by": options["by"], "rows": rows}, ensure_ascii=False, indent=2
            )
        )
        return
    console = Console(file=out, width=110)  # type: ignore[arg-type]
    table = Table(title=f"好评率 good-review rate {period.start} – {period.end} (4–5★ ÷ all)")
    key = "month" if options["by"] == "month" else "product_id"
    for column in (key, "reviews 评价", "good 好评", "neutral 中评", "bad 差评", "好评率"):
        table.add_column(column, justify="left" if column == key else "right")
    for r in [{**total, key: "total 合计"}, *rows]:
        table.add_row(
            str(r[key]),
            *(text_value(r[c], "count") for c in ("reviews", "good", "neutral", "bad")),
            text_value(r["good_rate"], "percent"),
        )
    console.print(table)


def _alerts_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="score reviews not yet scored and raise the alerts of bad ones (idempotent)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")


def alerts_command(options: dict[str, Any], out: OutputWrapper) -> None:
    from guanxi.satisfaction import alerts
    from guanxi.satisfaction.models import ReviewAlert

    result: dict[str, Any] = {}
    if options["refresh"]:
        try:
            refreshed, raised = alerts.upkeep()
        except Exception as exc:  # the lake unreadable, the model missing: say so, exit 1
            raise CommandError(f"refresh failed: {exc}", returncode=1) from exc
        result["refresh"] = {
            "reviews": refreshed.reviews,
            "classified": refreshed.classified,
            "distinct_texts": refreshed.texts,
            "bad_reviews": raised.bad_reviews,
            "alerts_created": raised.created,
        }
    t = alerts.tracking(ReviewAlert.objects.all())
    result["alerts"] = {
        "total": t.total,
        "open": t.open,
        "overdue": t.overdue,
        "responded": t.responded,
        "median_hours_to_respond": t.median_hours,
    }
    if options["format"] == "json":
        out.write(json.dumps(result, ensure_ascii=False, indent=2))
        return
    if "refresh" in result:
        r = result["refresh"]
        out.write(
            f"Scored {r['classified']} of {r['reviews']} reviews ({r['distinct_texts']} distinct "
            f"texts); {r['bad_reviews']} bad reviews, {r['alerts_created']} new alerts. "
            f"已分析 {r['classified']} 条评价，新增预警 {r['alerts_created']} 条。"
        )
    a = result["alerts"]
    median = "—" if a["median_hours_to_respond"] is None else f"{a['median_hours_to_respond']} h"
    out.write(
        f"Alerts 差评预警: {a['total']} in all, {a['open']} waiting, {a['overdue']} overdue "
        f"(> 24 h), {a['responded']} responded, median time to respond {median}."
    )


SUBCOMMANDS: dict[str, Subcommand] = {
    "goodrate": Subcommand(
        "好评率 by month or product over a period", _goodrate_arguments, goodrate
    ),
    "alerts": Subcommand(
        "bad-review alerts: --refresh scores new reviews and raises alerts; then the figures",
        _alerts_arguments,
        alerts_command,
    ),
}
