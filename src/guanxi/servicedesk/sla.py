"""SLA clocks (filled in by the SLA work; the services call ``refresh_ticket`` after every
change)."""

from __future__ import annotations

import datetime as dt

from guanxi.servicedesk.models import Ticket


def refresh_ticket(ticket: Ticket, now: dt.datetime) -> None:
    """Recompute and save the ticket's SLA fields (due times, business seconds, state)."""
