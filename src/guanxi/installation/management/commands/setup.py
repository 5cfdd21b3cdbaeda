"""``guanxi setup``: roles, the demo shop and the demo users — each only when missing.

Also finishes what an interrupted import left (see ``imports.services.recover``).
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandParser

from guanxi import demo, lake
from guanxi.accounts import roles
from guanxi.accounts.services import roles_ensure, user_create
from guanxi.imports import services as import_services
from guanxi.imports import tasks as import_tasks
from guanxi.installation.demo_shop import demo_predictions_fit, demo_shop_create
from guanxi.loyalty import tasks as loyalty_tasks
from guanxi.servicedesk import mail_in, routing, sla_tasks
from guanxi.web.cli import GuanxiCommand


class Command(GuanxiCommand):
    help = "Prepare a new installation: role groups, a demo shop if empty, demo users if none."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo-scale",
            choices=("small", "medium", "large", "none"),
            default="small",
            help="size of the demo shop ('none' for no demo)",
        )
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args: Any, **options: Any) -> None:
        roles_ensure()
        routing.defaults_ensure()  # the service desk's departments and rules, when it has none
        for run in import_services.recover():
            self.stdout.write(f"Import #{run.pk} ({run.file_name}) was interrupted; lake restored.")
        import_tasks.schedule_purge()  # the daily deletion of expired import files
        loyalty_tasks.schedule_monthly()  # the member scores, on the configured day
        sla_tasks.schedule_sweep()  # the service desk's SLA marks, every few minutes
        mail_in.schedule_fetch()  # tickets from the IMAP mailbox, when one is configured
        shop = lake.get()
        if options["demo_scale"] != "none":
            if demo.has_data(shop):
                self.stdout.write("Shop data present: demo shop not created.")
            else:
                # The review sentiment model first: the demo's reviews are scored with it.
                from guanxi.satisfaction import sentiment_store

                if sentiment_store.ensure_stored():
                    self.stdout.write(
                        "Review sentiment model stored (the quick one; "
                        "`guanxi reviews sentiment --train` builds the full one)."
                    )
                self.stdout.write(f"Creating the {options['demo_scale']} demo shop…")
                summary = demo_shop_create(
                    scale=options["demo_scale"], seed=options["seed"], lake=shop
                )
                self.stdout.write(f"Demo shop ready in {summary.seconds:.1f} s.")
                if options["demo_scale"] == "small":
                    started = time.monotonic()
                    fitted = demo_predictions_fit()
                    self.stdout.write(
                        f"Prediction models fitted on the demo shop: {fitted} of 4 "
                        f"in {time.monotonic() - started:.1f} s."
                    )
        if User.objects.exists():
            self.stdout.write("Users present: no demo users created.")
            return
        agents = demo.AGENTS
        accounts = [
            ("admin", roles.ADMIN, ""),
            ("manager", roles.MANAGER, ""),
            ("agent1", roles.AGENT, agents[0].agent_id),
            ("agent2", roles.AGENT, agents[1].agent_id),
            ("marketing", roles.MARKETING, ""),
        ]
        created = [user_create(username=u, role=r, agent_id=a) for u, r, a in accounts]
        self.stdout.write("")
        self.stdout.write("Demo users (passwords are shown only this once; note them now):")
        self.stdout.write("演示账号（密码只显示这一次，请记下）：")
        for new in created:
            linked = f"  agent id {new.agent_id}" if new.agent_id else ""
            self.stdout.write(f"  {new.username:<10} {new.role:<10} {new.password}{linked}")
        self.stdout.write("")
