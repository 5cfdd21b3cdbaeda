"""``guanxi privacy requests|open|export|erase|consent``: PIPL requests from the command line.
A customer is named by phone, name, platform account or customer key; every action is
audited as made by ``cli:<user>``."""

from __future__ import annotations

import datetime as dt
import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from guanxi.core.errors import UserInputError
from guanxi.customers.models import Customer
from guanxi.privacy import selectors, services
from guanxi.privacy.models import PrivacyRequest, RequestKind, RequestStatus
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "PIPL requests: list open ones, open one, export or erase a customer, record consent."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{requests,open,export,erase,consent}"
        )
        sub.add_parser("requests", help="open requests with their due dates")
        opened = sub.add_parser("open", help="register a request (due in 15 working days)")
        opened.add_argument("customer", metavar="PHONE|NAME|ACCOUNT|KEY")
        opened.add_argument("--kind", required=True, choices=RequestKind.values)
        opened.add_argument("--received", default="", metavar="YYYY-MM-DD", help="default today")
        export = sub.add_parser("export", help="everything held about a customer, JSON or XLSX")
        export.add_argument("customer", metavar="PHONE|NAME|ACCOUNT|KEY")
        export.add_argument("--out", required=True, type=Path, help="file.json or file.xlsx")
        erase = sub.add_parser("erase", help="erase a customer (cannot be undone)")
        erase.add_argument("customer", metavar="PHONE|NAME|ACCOUNT|KEY")
        erase.add_argument("--request", type=int, default=None, help="the erasure request's #")
        erase.add_argument("--yes", action="store_true", help="confirm the erasure")
        consent = sub.add_parser("consent", help="record marketing consent granted or withdrawn")
        consent.add_argument("customer", metavar="PHONE|NAME|ACCOUNT|KEY")
        consent.add_argument("--withdrawn", action="store_true", help="default: granted")
        consent.add_argument("--source", required=True, help="e.g. 下单页勾选, 客服电话")

    def handle(self, *args: Any, **options: Any) -> None:
        by = f"cli:{getpass.getuser()}"
        action = options["action"]
        if action == "requests":
            for r in selectors.requests_open():
                key = r.customer.customer_key if r.customer else "—"
                self.stdout.write(
                    f"#{r.pk}\t{r.kind}\t{key}\treceived {r.received_on}\tdue {r.due_on}"
                )
            return
        customer = self._customer(options["customer"])
        try:
            if action == "open":
                received = (
                    dt.date.fromisoformat(options["received"])
                    if options["received"]
                    else dt.date.today()
                )
                request = services.request_open(
                    kind=options["kind"], customer=customer, received_on=received, by=by
                )
                self.stdout.write(f"request #{request.pk} ({request.kind}) due {request.due_on}")
            elif action == "export":
                self._export(customer, options["out"], by)
            elif action == "erase":
                self._erase(customer, options, by)
            else:
                services.consent_record(
                    customer=customer,
                    granted=not options["withdrawn"],
                    source=options["source"],
                    by=by,
                )
                self.stdout.write("consent recorded")
        except ValueError as exc:  # a date not in YYYY-MM-DD
            raise CommandError(f"--received: {exc}; write YYYY-MM-DD", returncode=1) from exc
        except UserInputError as exc:
            raise CommandError(str(exc), returncode=1) from exc

    def _customer(self, query: str) -> Customer:
        found = selectors.customers_find(query)
        if not found:
            raise CommandError(f"no customer matches {query!r}", returncode=1)
        if len(found) > 1:
            keys = ", ".join(c.customer_key for c in found)
            raise CommandError(
                f"{len(found)} customers match; name one by its key: {keys}", returncode=1
            )
        return found[0]

    def _export(self, customer: Customer, out: Path, by: str) -> None:
        file_format = out.suffix.lstrip(".").lower()
        if file_format not in ("json", "xlsx"):
            raise CommandError(f"--out {out}: end the name in .json or .xlsx", returncode=1)
        export = selectors.access_export(customer)
        body = (
            selectors.export_json(export)
            if file_format == "json"
            else selectors.export_xlsx(export)
        )
        out.write_bytes(body)
        services.access_recorded(
            customer=customer, row_count=export.row_count(), file_format=file_format, by=by
        )
        self.stdout.write(f"{out}: {export.row_count()} record(s)")

    def _erase(self, customer: Customer, options: dict[str, Any], by: str) -> None:
        if not options["yes"]:
            raise CommandError(
                f"erasing {customer.customer_key} cannot be undone; add --yes to confirm",
                returncode=1,
            )
        request = None
        if options["request"] is not None:
            request = PrivacyRequest.objects.filter(
                pk=options["request"], customer=customer, status=RequestStatus.OPEN
            ).first()
            if request is None:
                raise CommandError(
                    f"--request {options['request']}: no open request for this customer",
                    returncode=1,
                )
        erasure = services.customer_erase(customer=customer, request=request, by=by)
        self.stdout.write(erasure.describe())
