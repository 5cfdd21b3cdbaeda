"""``guanxi returns check``: the seven-day no-reason decision from the command line, by the
same function as the after-sales panel (``servicedesk.returns.return_decide``). Times are
read in the shop's time zone (``settings.TIME_ZONE``, as every other command reads it)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from guanxi.servicedesk import returns
from guanxi.web.cli import GuanxiCommand

# The calculator's field names as this command spells them.
OPTIONS = {
    "signed": "--signed",
    "requested": "--requested",
    "reason": "--reason",
    "condition": "--condition",
    "kind": "--kind",
    "time_zone": "TIME_ZONE (the shop's time zone setting)",
}


class Command(GuanxiCommand):
    help = "After-sales returns (售后): check a request against the 7-day no-reason rules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{check}")
        check = sub.add_parser(
            "check", help="eligible?, the deadline, who pays shipping, and the reasons"
        )
        check.add_argument(
            "--signed", required=True, metavar="'YYYY-MM-DD HH:MM'", help="when the buyer signed"
        )
        check.add_argument(
            "--requested",
            required=True,
            metavar="'YYYY-MM-DD HH:MM'",
            help="when the buyer asked for the return",
        )
        check.add_argument("--reason", required=True, choices=returns.REASONS)
        check.add_argument(
            "--condition",
            default="",
            metavar=",".join(returns.CONDITIONS),
            help="the goods' conditions, comma-separated",
        )
        check.add_argument("--kind", default=returns.RETURN, choices=returns.CASE_KINDS)
        check.add_argument("--format", default="table", choices=("json", "table"))
        check.add_argument("--language", default="zh-hans", choices=("zh-hans", "en"))

    def handle(self, *args: Any, **options: Any) -> None:
        time_zone = settings.TIME_ZONE
        try:
            decision = returns.return_decide(
                signed_at=returns.parse_shop_time(
                    options["signed"], field="signed", time_zone=time_zone
                ),
                requested_at=returns.parse_shop_time(
                    options["requested"], field="requested", time_zone=time_zone
                ),
                reason=options["reason"],
                conditions=returns.parse_conditions(options["condition"]),
                case_kind=options["kind"],
                time_zone=time_zone,
            )
        except returns.ReturnsInputError as exc:
            name = OPTIONS.get(exc.field, exc.field)
            raise CommandError(f"{name}: {exc.detail}", returncode=2) from exc
        language = options["language"]
        if options["format"] == "json":
            self.stdout.write(json.dumps(decision.as_json(language), ensure_ascii=False, indent=2))
            return
        self.stdout.write(table_text(decision, language))


def table_text(decision: returns.ReturnDecision, language: str) -> str:
    rows = [
        ("eligible", "yes" if decision.eligible else "no"),
        ("deadline", decision.deadline.isoformat()),
        ("shipping_paid_by", decision.shipping_paid_by),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    lines.append("reasons:")
    code_width = max(len(r.code) for r in decision.reasons)
    lines += [f"  {r.code:<{code_width}}  {r.text(language)}" for r in decision.reasons]
    return "\n".join(lines)
