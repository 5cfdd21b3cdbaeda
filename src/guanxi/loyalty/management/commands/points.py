"""``guanxi points earn|redeem|adjust|balance|expire``: the points ledger from the command
line. A customer is named by customer key, phone, name or platform account; every change is
recorded as made by ``cli:<user>``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils.timezone import localtime

from guanxi.core.audit import command_line_actor
from guanxi.core.errors import UserInputError
from guanxi.core.timeutil import local_midnight_utc, parse_day
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customer_get, customer_search
from guanxi.loyalty import orders, selectors, services
from guanxi.web.cli import GuanxiCommand

CUSTOMER = "KEY|PHONE|NAME|ACCOUNT"
# The services' argument names as this command spells them.
ARGUMENTS = {"points": "POINTS", "reason": "--reason", "as_of": "--as-of"}
FIND_LIMIT = 5


class Command(GuanxiCommand):
    help = "Points (积分): earn from the lake's orders, redeem, adjust, show a balance, expire."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{earn,redeem,adjust,balance,expire}"
        )
        earn = sub.add_parser(
            "earn", help="earn for the lake's paid orders and claw back its refunds (repeatable)"
        )
        earn.add_argument(
            "--since", default="", metavar="YYYY-MM-DD", help="only orders paid from this day"
        )
        redeem = sub.add_parser("redeem", help="spend points of a customer (oldest first)")
        redeem.add_argument("customer", metavar=CUSTOMER)
        redeem.add_argument("points", metavar="POINTS")
        redeem.add_argument("--reason", default="", help="e.g. 兑换优惠券")
        adjust = sub.add_parser("adjust", help="add (+N) or take away (-N) points, with a reason")
        adjust.add_argument("customer", metavar=CUSTOMER)
        adjust.add_argument("points", metavar="POINTS")
        adjust.add_argument("--reason", required=True, help="why, e.g. 补偿物流延误")
        balance = sub.add_parser("balance", help="a customer's balance and the points left")
        balance.add_argument("customer", metavar=CUSTOMER)
        expire = sub.add_parser("expire", help="expire the points past their expiry date")
        expire.add_argument(
            "--as-of",
            default="",
            metavar="YYYY-MM-DD",
            help="points lapsed by the start of this day (shop time); default now",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        by = command_line_actor()
        action = options["action"]
        try:
            if action == "earn":
                since = self._day("--since", options["since"])
                earned = services.earn_for_orders(orders.lake_paid_orders(since), by=by)
                self.stdout.write(earned.describe())
                clawed = services.claw_back_refunds(orders.lake_refunded_orders(since), by=by)
                self.stdout.write(clawed.describe())
            elif action == "expire":
                as_of = self._day("--as-of", options["as_of"])
                self.stdout.write(services.expire(as_of, by=by).describe())
            elif action == "balance":
                self._balance(self._customer(options["customer"]))
            else:
                customer = self._customer(options["customer"])
                points = self._points(options["points"])
                if action == "redeem":
                    services.redeem(customer, points, by=by, reason=options["reason"])
                else:
                    services.adjust(customer, points, options["reason"], by=by)
                self.stdout.write(f"{customer.customer_key}: balance {selectors.balance(customer)}")
        except services.PointsError as exc:
            name = ARGUMENTS.get(exc.field, exc.field)
            raise CommandError(f"{name}: {exc.detail}", returncode=1) from exc
        except UserInputError as exc:
            raise CommandError(str(exc), returncode=1) from exc

    @staticmethod
    def _points(text: str) -> int:
        try:
            return int(text.strip())
        except ValueError:
            raise CommandError(
                f"POINTS: {text!r} is not a whole number of points", returncode=2
            ) from None

    @staticmethod
    def _day(option: str, text: str) -> dt.datetime | None:
        if not text:
            return None
        try:
            day = parse_day(text)
        except ValueError as exc:
            raise CommandError(f"{option}: {exc}", returncode=2) from None
        return local_midnight_utc(day, settings.TIME_ZONE)

    @staticmethod
    def _customer(query: str) -> Customer:
        exact = customer_get(query.strip())
        if exact is not None:
            return exact
        found = list(customer_search(query)[:FIND_LIMIT]) if query.strip() else []
        if not found:
            raise CommandError(f"{CUSTOMER}: no customer matches {query!r}", returncode=1)
        if len(found) > 1:
            keys = ", ".join(c.customer_key for c in found)
            raise CommandError(
                f"{CUSTOMER}: {len(found)} or more customers match {query!r}; "
                f"name one by its key: {keys}",
                returncode=1,
            )
        return found[0]

    def _balance(self, customer: Customer) -> None:
        self.stdout.write(f"{customer.customer_key}: balance {selectors.balance(customer)}")
        for lot in selectors.open_lots(customer):
            source = f"{lot.platform}:{lot.order_id}" if lot.order_id else lot.kind
            expires = (
                f"expires {localtime(lot.expires_at):%Y-%m-%d}"
                if lot.expires_at
                else "never expires"
            )
            self.stdout.write(
                f"  {lot.remaining}/{lot.points}\tearned {localtime(lot.earned_at):%Y-%m-%d}\t"
                f"{expires}\t{source}"
            )
