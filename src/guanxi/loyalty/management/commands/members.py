"""``guanxi members score|show``: the member score (会员成长值, 淘气值-style) from the command
line — count and store a month's scores, or show one customer's history."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import parse_day, parse_month
from guanxi.customers.selectors import customer_get
from guanxi.loyalty import member_scores
from guanxi.loyalty import member_selectors as selectors
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "Member score (会员成长值): count a month's scores and tiers, or show a customer's."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{score,show}")
        score = sub.add_parser(
            "score",
            help="count and store every customer's score for a month (re-running replaces it)",
        )
        when = score.add_mutually_exclusive_group()
        when.add_argument(
            "--month",
            default="",
            metavar="YYYY-MM",
            help="the month scored, counted over the 12 months before it (default: this month)",
        )
        when.add_argument(
            "--as-of", default="", metavar="YYYY-MM-DD", help="count up to this day instead"
        )
        score.add_argument("--format", choices=("table", "json"), default="table")
        show = sub.add_parser("show", help="a customer's score history and tier")
        show.add_argument("customer", metavar="KEY", help="the customer key")
        show.add_argument("--format", choices=("table", "json"), default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "score":
                self._score(options)
            else:
                self._show(options)
        except UserInputError as exc:
            raise CommandError(str(exc), returncode=1) from exc

    def _score(self, options: dict[str, Any]) -> None:
        month = as_of = None
        if options["month"]:
            try:
                year, number = parse_month(options["month"])
            except ValueError as exc:
                raise CommandError(f"--month: {exc}", returncode=2) from None
            month = dt.date(year, number, 1)
        if options["as_of"]:
            try:
                as_of = parse_day(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: {exc}", returncode=2) from None
        done = member_scores.compute(month, as_of=as_of)
        summary = selectors.tier_summary(done.month)
        if options["format"] == "json":
            payload = {
                "month": f"{done.month:%Y-%m}",
                "as_of": done.as_of.isoformat(),
                "customers": done.customers,
                "seconds": round(done.seconds, 2),
                "tiers": [
                    {"tier": t.key, "from": t.low, "below": t.high, "customers": t.customers}
                    for t in summary.tiers
                ],
                "perks": [
                    {"perk": p.key, "from": p.low, "customers": p.customers} for p in summary.perks
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(
            f"Member scores for {done.month:%Y-%m} (as of {done.as_of}): "
            f"{done.customers} customers in {done.seconds:.1f} s"
        )
        self.stdout.write(f"{'tier':<10}{'scores':>14}{'customers':>12}{'share':>9}")
        for t in summary.tiers:
            span = f"{t.low}–{t.high - 1}" if t.high is not None else f"≥ {t.low}"
            self.stdout.write(f"{t.key:<10}{span:>14}{t.customers:>12}{t.share:>8.1%}")
        for p in summary.perks:
            self.stdout.write(f"{'perk ' + p.key:<10}{'≥ ' + str(p.low):>14}{p.customers:>12}")

    def _show(self, options: dict[str, Any]) -> None:
        customer = customer_get(options["customer"].strip())
        if customer is None:
            raise CommandError(
                f"KEY: no customer has the key {options['customer']!r}", returncode=1
            )
        history = selectors.score_history(customer)
        if options["format"] == "json":
            rows = [
                {
                    "month": f"{h.month:%Y-%m}",
                    "as_of": h.as_of.isoformat(),
                    "purchase": h.purchase,
                    "interaction": h.interaction,
                    "credit": h.credit,
                    "score": h.score,
                    "tier": h.tier,
                }
                for h in history
            ]
            out = {"customer_key": customer.customer_key, "history": rows}
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        if not history:
            self.stdout.write(
                f"{customer.customer_key}: no member score yet (guanxi members score)"
            )
            return
        rules = member_scores.member_rules()
        latest = history[0]
        perks = ", ".join(rules.perks_of(latest.score)) or "none"
        self.stdout.write(
            f"{customer.customer_key}: {latest.score} ({latest.tier}; perks: {perks}) "
            f"in {latest.month:%Y-%m}"
        )
        self.stdout.write(
            f"{'month':<9}{'as of':>12}{'purchase':>10}{'interact':>10}{'credit':>8}"
            f"{'score':>7}  tier"
        )
        for h in history:
            self.stdout.write(
                f"{h.month:%Y-%m}  {h.as_of.isoformat():>12}{h.purchase:>10}{h.interaction:>10}"
                f"{h.credit:>8}{h.score:>7}  {h.tier}"
            )
