"""``guanxi tickets list|show|new|assign|claim|move|escalate|note|defaults``: the service
desk from the command line, thin over ``servicedesk.services``. ``--as USERNAME`` acts as
that login with its role's rights, as its pages would (an agent sees and changes only
their own and their team's tickets); without it the command acts as the installation's
operator (every ticket, recorded without a user). ``--format json`` for scripts.

``report`` prints the service-desk report of a period (``servicedesk.report_cli``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError, CommandParser

from guanxi.accounts.models import Agent
from guanxi.servicedesk import report_cli, selectors, services
from guanxi.servicedesk.models import (
    Category,
    Channel,
    Department,
    Kind,
    SlaState,
    State,
    Ticket,
    Tier,
)
from guanxi.web.cli import GuanxiCommand

FORMATS = ("table", "json")


def _row(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.pk,
        "state": t.state,
        "tier": t.tier,
        "kind": t.kind,
        "category": t.category,
        "channel": t.channel,
        "subject": t.subject,
        "customer_key": t.customer_key,
        "order_id": t.order_id,
        "department": t.department.name if t.department else "",
        "team": t.team,
        "assignee": t.assignee.agent_id if t.assignee else "",
        "sla_state": t.sla_state,
        "created_at": t.created_at.isoformat(),
    }


class Command(GuanxiCommand):
    help = "Service-desk tickets: list, show, log, assign, claim, move, escalate, annotate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="as_user", default="", metavar="USERNAME")
        parser.add_argument("--format", default="table", metavar="|".join(FORMATS))
        names = "list,show,new,assign,claim,move,escalate,note,defaults,report"
        sub = parser.add_subparsers(dest="action", required=True, metavar="{" + names + "}")
        # --as and --format may also follow the subcommand (``tickets list --as kf1``).
        common = CommandParser(add_help=False)
        common.add_argument("--as", dest="as_user", default=argparse.SUPPRESS)
        common.add_argument("--format", default=argparse.SUPPRESS)
        listing = sub.add_parser("list", parents=[common], help="tickets of a queue, newest first")
        listing.add_argument("--scope", default="all", choices=selectors.SCOPES)
        listing.add_argument("--state", default="", choices=["", *State.values])
        listing.add_argument("--tier", default="", choices=["", *Tier.values])
        listing.add_argument("--category", default="", choices=Category.values)
        listing.add_argument("--sla", default="", choices=["", *SlaState.values])
        listing.add_argument("--agent", default="")
        listing.add_argument("--team", default="")
        listing.add_argument("--status", default="open", choices=["open", "closed", "any"])
        listing.add_argument("--limit", type=int, default=100)
        show = sub.add_parser("show", parents=[common], help="one ticket with its history")
        show.add_argument("ticket", type=int)
        new = sub.add_parser("new", parents=[common], help="log a ticket (routed by the rules)")
        new.add_argument("--kind", required=True, choices=Kind.values)
        new.add_argument("--channel", required=True, choices=Channel.values)
        new.add_argument("--subject", required=True)
        new.add_argument("--description", default="")
        new.add_argument("--customer", default="", help="customer key")
        new.add_argument("--platform", default="")
        new.add_argument("--order", default="", help="order id (checked against the lake)")
        new.add_argument("--session", default="", help="chat session id")
        new.add_argument("--product", default="")
        new.add_argument("--category", default="", choices=Category.values)
        new.add_argument("--tier", default=Tier.ORDINARY, choices=Tier.values)
        assign = sub.add_parser(
            "assign", parents=[common], help="assign to an agent, team or department"
        )
        assign.add_argument("ticket", type=int)
        assign.add_argument("--agent", default="")
        assign.add_argument("--team", default=None)
        assign.add_argument("--department", default="")
        claim = sub.add_parser(
            "claim", parents=[common], help="take an unassigned ticket (needs --as)"
        )
        claim.add_argument("ticket", type=int)
        move = sub.add_parser("move", parents=[common], help="move to another state")
        move.add_argument("ticket", type=int)
        move.add_argument("state", choices=State.values)
        move.add_argument("--note", default="")
        escalate = sub.add_parser(
            "escalate", parents=[common], help="change the tier, with a reason"
        )
        escalate.add_argument("ticket", type=int)
        escalate.add_argument("tier", choices=Tier.values)
        escalate.add_argument("--reason", default="")
        note = sub.add_parser(
            "note", parents=[common], help="an internal note, or --reply: a reply given"
        )
        note.add_argument("ticket", type=int)
        note.add_argument("text")
        note.add_argument("--reply", action="store_true")
        sub.add_parser(
            "defaults", parents=[common], help="add the default departments and rules (empty desk)"
        )
        # The report has its own --format (table|json|csv|xlsx) and --output.
        report = sub.add_parser("report", help="the service-desk report of a period")
        report.add_argument("--as", dest="as_user", default=argparse.SUPPRESS)
        report_cli.add_arguments(report)

    # -- who acts ------------------------------------------------------------------------
    def _user(self, username: str) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"--as: no active user {username!r}", returncode=1)
        return user

    def _need(self, user: User | None, perm: str) -> None:
        if user is not None and not user.has_perm(f"servicedesk.{perm}"):
            raise CommandError(
                f"--as {user.username}: the role may not do this (needs servicedesk.{perm})",
                returncode=1,
            )

    def _ticket(self, user: User | None, ticket_id: int) -> Ticket:
        tickets = selectors.visible_tickets(user) if user is not None else Ticket.objects.all()
        ticket = tickets.select_related("assignee", "department").filter(pk=ticket_id).first()
        if ticket is None:
            raise CommandError(
                f"ticket #{ticket_id}: no such ticket in the queues of "
                f"{user.username if user else 'this installation'}",
                returncode=1,
            )
        return ticket

    # -- output --------------------------------------------------------------------------
    def _emit(self, fmt: str, data: Any, table: list[str]) -> None:
        if fmt == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        else:
            self.stdout.write("\n".join(table))

    def _show(self, fmt: str, ticket: Ticket) -> None:
        ticket = Ticket.objects.select_related("assignee", "department").get(pk=ticket.pk)
        events = list(ticket.events.select_related("by"))
        data = _row(ticket) | {
            "description": ticket.description,
            "escalation_reason": ticket.escalation_reason,
            "history": [
                {
                    "at": e.at.isoformat(),
                    "by": e.by.get_username() if e.by else "",
                    "action": e.action,
                    "from": e.from_value,
                    "to": e.to_value,
                    "note": e.note,
                }
                for e in events
            ],
        }
        lines = [
            f"#{ticket.pk} [{ticket.state}] {ticket.tier} {ticket.kind} {ticket.channel}: "
            f"{ticket.subject}",
            f"  customer {ticket.customer_key or '-'}  order {ticket.order_id or '-'}  "
            f"assignee {data['assignee'] or '-'}  team {ticket.team or '-'}  "
            f"department {data['department'] or '-'}  sla {ticket.sla_state}",
            *[
                f"  {h['at'][:16]} {h['by'] or '-'} {h['action']} {h['from']}→{h['to']} {h['note']}"
                for h in data["history"]
            ],
        ]
        self._emit(fmt, data, lines)

    # -- actions -------------------------------------------------------------------------
    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "report":
            user = self._user(options["as_user"])
            self._need(user, "view_ticket")
            if user is not None and not user.has_perm("servicedesk.view_all_tickets"):
                # An agent's report covers their own queue, as on the page.
                agent = selectors.agent_of(user)
                if agent is None:
                    raise CommandError(
                        f"--as {user.username}: not linked to an agent of the roster", returncode=1
                    )
                options["agent"] = agent.agent_id
            report_cli.run(options, self.stdout)
            return
        fmt = options["format"]
        if fmt not in FORMATS:
            raise CommandError(f"--format: {fmt!r}; give one of {', '.join(FORMATS)}", returncode=2)
        user = self._user(options["as_user"])
        self._need(user, "view_ticket")
        action = options["action"]
        try:
            self._act(action, user, fmt, options)
        except services.TicketError as exc:
            raise CommandError(str(exc), returncode=1) from exc

    def _act(self, action: str, user: User | None, fmt: str, options: dict[str, Any]) -> None:
        if action == "list":
            self._list(user, fmt, options)
        elif action == "show":
            self._show(fmt, self._ticket(user, options["ticket"]))
        elif action == "new":
            self._need(user, "add_ticket")
            ticket = services.create_ticket(
                kind=options["kind"],
                channel=options["channel"],
                subject=options["subject"],
                description=options["description"],
                customer_key=options["customer"],
                platform=options["platform"],
                order_id=options["order"],
                chat_session_id=options["session"],
                product_id=options["product"],
                category=options["category"],
                tier=options["tier"],
                by=user,
            )
            self._show(fmt, ticket)
        elif action == "defaults":
            self._need(user, "change_routing")
            from guanxi.servicedesk.routing import defaults_ensure

            done = defaults_ensure()
            self.stdout.write(
                "default departments and rules added"
                if done
                else "the desk already has departments or rules: nothing changed"
            )
        else:
            self._need(user, "change_ticket")
            ticket = self._ticket(user, options["ticket"])
            self._change(action, ticket, user, options)
            self._show(fmt, ticket)

    def _change(
        self, action: str, ticket: Ticket, user: User | None, options: dict[str, Any]
    ) -> None:
        if action == "assign":
            self._need(user, "assign_ticket")
            agent = None
            if options["agent"]:
                agent = Agent.objects.filter(agent_id=options["agent"]).first()
                if agent is None:
                    raise CommandError(f"--agent: no agent {options['agent']!r}", returncode=1)
            department = None
            if options["department"]:
                department = Department.objects.filter(name=options["department"]).first()
                if department is None:
                    raise CommandError(
                        f"--department: no department {options['department']!r}", returncode=1
                    )
            if agent is None and department is None and options["team"] is None:
                raise CommandError("assign: give --agent, --team or --department", returncode=1)
            services.assign(
                ticket.pk, by=user, agent=agent, team=options["team"], department=department
            )
        elif action == "claim":
            agent = selectors.agent_of(user) if user is not None else None
            if agent is None:
                raise CommandError("claim: --as a login linked to an agent", returncode=1)
            services.claim(ticket.pk, agent, by=user)
        elif action == "move":
            services.transition(ticket.pk, options["state"], by=user, note=options["note"])
        elif action == "escalate":
            services.escalate(ticket.pk, options["tier"], options["reason"], by=user)
        else:
            services.add_note(ticket.pk, options["text"], by=user, reply=options["reply"])

    def _list(self, user: User | None, fmt: str, options: dict[str, Any]) -> None:
        filters = selectors.QueueFilters(
            scope=options["scope"],
            state=options["state"],
            tier=options["tier"],
            category=options["category"],
            sla_state=options["sla"],
            agent=options["agent"],
            team=options["team"],
            status="" if options["status"] == "any" else options["status"],
        )
        tickets = selectors.queue_all(filters) if user is None else selectors.queue(user, filters)
        rows = [_row(t) for t in tickets[: max(options["limit"], 1)]]
        table = [
            f"#{r['id']:<6} {r['state']:<12} {r['tier']:<10} {r['sla_state']:<9} "
            f"{r['assignee'] or '-':<10} {r['team'] or '-':<8} {r['subject'][:40]}"
            for r in rows
        ] or ["no tickets"]
        self._emit(fmt, rows, table)
