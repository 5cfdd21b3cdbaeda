"""The store overview as CSV: the figures of the period and the one before, then each day."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from guanxi.metrics.store import METRICS
from guanxi.store.overview import LABELS
from guanxi.store.selectors import StoreOverview
from guanxi.web.exports.safe import csv_writer


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def as_csv(figures: StoreOverview) -> str:
    """UTF-8 text with a BOM, so Excel opens the Chinese headers as they are."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv_writer(out)
    current, previous = figures.current, figures.previous
    writer.writerow(
        [
            _("指标"),
            f"{current.period.start} – {current.period.end}",
            f"{previous.period.start} – {previous.period.end}",
        ]
    )
    for metric in METRICS:
        writer.writerow(
            [
                LABELS[metric.key],
                _cell(getattr(current, metric.key)),
                _cell(getattr(previous, metric.key)),
            ]
        )
    writer.writerow([])
    writer.writerow(
        [_("日期"), _("浏览量"), _("访客数"), _("咨询人数"), _("支付买家数"), _("支付金额")]
    )
    for row in figures.daily:
        writer.writerow(
            [
                row["day"],
                row["pv"],
                row["uv"],
                row["consulting_customers"],
                row["paying_customers"],
                f"{row['paid_amount']:.2f}",
            ]
        )
    return out.getvalue()
