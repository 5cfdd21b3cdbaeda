"""``guanxi customers rfm|recompute|pin|unpin``: RFM at any date from the lake, the standing
recounted, a class pinned by hand.

``rfm`` counts from the lake at ``--as-of`` (not the stored standing): one row per customer
with an order paid by the end of that day (shop time) —

- ``recency_days``: whole local days from the last paid order's payment day to D (0: paid
  on D);
- ``frequency``: orders paid by D; ``monetary``: their amounts, refunds not deducted unless
  the RFM rules say so (rules page, ``deduct_refunds``);
- ``r_score``, ``f_score``, ``m_score``: 1–5 by quintile of rank, ties sharing the lower
  score (``metrics.customers.rfm_scores``); ``group``: the key of one of the eight groups.

In JSON ``monetary`` is a string with two decimals ("1280.00"): exact yuan, as every amount
in Guanxi's JSON (a float would turn 0.10 + 0.20 into 0.30000000000000004).

Ibis and DuckDB are imported inside ``handle``: ``guanxi customers --help`` stays quick.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from guanxi.core.timeutil import parse_day
from guanxi.web.cli import GuanxiCommand, write_text, write_xlsx

FORMATS = ("table", "json", "csv", "xlsx")
COLUMNS = (
    "customer_key", "recency_days", "frequency", "monetary",
    "r_score", "f_score", "m_score", "group",
)  # fmt: skip


class Command(GuanxiCommand):
    help = "Customers: RFM at a date, recompute every customer's standing, pin a class."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{rfm,recompute,pin,unpin}"
        )
        rfm = sub.add_parser("rfm", help="R, F, M, the 1–5 scores and the group per customer")
        rfm.add_argument(
            "--as-of", default="", metavar="YYYY-MM-DD", help="count at the end of this day"
        )
        rfm.add_argument("--format", default="table", metavar="|".join(FORMATS))
        rfm.add_argument("--output", default="", metavar="FILE", help="write here (xlsx: needed)")
        again = sub.add_parser("recompute", help="recount classes, RFM and loyalty, then counts")
        again.add_argument(
            "--as-of", default="", metavar="YYYY-MM-DD", help="default: today (shop time)"
        )
        pin = sub.add_parser("pin", help="fix a customer's class by hand (the rules keep off)")
        pin.add_argument("key", metavar="KEY", help="the customer key (c0123…)")
        pin.add_argument("customer_class", metavar="CLASS", help="vip, core, potential, ordinary")
        pin.add_argument("--reason", required=True, help="why, kept with the pin")
        unpin = sub.add_parser("unpin", help="remove the pin: the rules decide again")
        unpin.add_argument("key", metavar="KEY")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "rfm":
            self._rfm(options)
        elif action == "recompute":
            self._recompute(options)
        else:
            self._pin(action, options)

    # -- rfm ------------------------------------------------------------------------------
    @staticmethod
    def _as_of(text: str) -> dt.date | None:
        if not text:
            return None
        try:
            return parse_day(text)
        except ValueError as exc:
            raise CommandError(f"--as-of: {exc}", returncode=2) from None

    def _rfm(self, options: dict[str, Any]) -> None:
        fmt = options["format"]
        if fmt not in FORMATS:
            raise CommandError(
                f"--format: {fmt!r} is not a format; give one of {', '.join(FORMATS)}",
                returncode=2,
            )
        if fmt == "xlsx" and not options.get("output"):
            raise CommandError("--format xlsx needs --output FILE.xlsx", returncode=2)
        from guanxi.customers import rfm
        from guanxi.customers.rfm_presenters import json_row
        from guanxi.customers.standing import local_today

        as_of = self._as_of(options["as_of"]) or local_today()
        rows = [json_row(r) for r in rfm.lake_rows(as_of)]
        if fmt == "json":
            write_text(self.stdout, options, json.dumps(rows, ensure_ascii=False, indent=1))
        elif fmt == "csv":
            from guanxi.web.exports.safe import csv_text

            table = [list(COLUMNS), *([row[c] for c in COLUMNS] for row in rows)]
            write_text(self.stdout, options, csv_text(table, bom=False).rstrip("\r\n"))
        elif fmt == "xlsx":
            write_xlsx(self.stdout, options, _xlsx(rows, as_of), f"{len(rows)} customers")
        else:
            write_text(self.stdout, options, _table(rows, as_of))

    # -- recompute ----------------------------------------------------------------------------
    def _recompute(self, options: dict[str, Any]) -> None:
        from guanxi.customers import standing

        as_of = self._as_of(options["as_of"])
        result = standing.recompute(as_of, progress=lambda step: self.stdout.write(f"… {step}"))
        self.stdout.write(
            f"{result.customers} customers counted at {result.as_of} "
            f"in {result.seconds:.1f} s; pinned {result.pinned}"
        )
        for name, count in result.classes.items():
            self.stdout.write(f"  {name:<10} {count}")

    # -- pins --------------------------------------------------------------------------------
    def _pin(self, action: str, options: dict[str, Any]) -> None:
        from guanxi.core.audit import command_line_actor
        from guanxi.core.errors import UserInputError
        from guanxi.customers import standing
        from guanxi.customers.selectors import customer_get

        key = options["key"].strip()
        customer = customer_get(key)
        if customer is None or customer.merged_into_id is not None:
            raise CommandError(f"KEY: no customer {key!r}", returncode=1)
        by = command_line_actor()
        try:
            if action == "pin":
                standing.class_pin(
                    customer, options["customer_class"], reason=options["reason"], user=by
                )
            else:
                standing.class_unpin(customer, user=by)
        except UserInputError as exc:
            message = str(exc)
            for field, name in (("customer_class:", "CLASS:"), ("reason:", "--reason:")):
                message = message.replace(field, name, 1) if message.startswith(field) else message
            raise CommandError(message, returncode=1) from exc
        self.stdout.write(f"{customer.customer_key}: class {customer.customer_class}")


def _table(rows: list[dict[str, Any]], as_of: dt.date) -> str:
    header = ["customer_key", "R days", "F", "M", "R", "F", "M", "group"]
    lines = [f"RFM at {as_of}: {len(rows)} customers", "\t".join(header)]
    lines += ["\t".join(str(row[c]) for c in COLUMNS) for row in rows]
    return "\n".join(lines)


def _xlsx(rows: list[dict[str, Any]], as_of: dt.date) -> bytes:
    from decimal import Decimal

    from guanxi.web.exports.xlsx import Column, Sheet, workbook

    kinds = ("text", "count", "count", "money", "count", "count", "count", "text")
    data = [[Decimal(row[c]) if c == "monetary" else row[c] for c in COLUMNS] for row in rows]
    sheet = Sheet(
        name="RFM",
        title=f"RFM at {as_of}",
        columns=[Column(c, k, 14) for c, k in zip(COLUMNS, kinds, strict=True)],
        rows=data,
    )
    return workbook([sheet])
