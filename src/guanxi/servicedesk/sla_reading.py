"""A ticket's SLA reading from its history (pure: no database): the two clocks, first
response and resolution, and the state shown in the queues.

The rules, decided here and relied on by the pages and the reports:

- Both clocks start at ``created_at`` and run in business time on one schedule (the
  assignee's rota, else the shop's service hours: ``servicedesk.sla``).
- Waiting on the customer (State.WAITING, from the ticket's ``state`` events) pauses both.
- The first-response clock stops at ``first_response_at``; a ticket resolved without any
  recorded response stops it at the resolution (resolving answers the customer).
- The resolution clock stops while the ticket is resolved, has its feedback or is closed;
  a reopened ticket's clock runs again from the reopening and keeps the time already used
  (the customer's problem was not solved, so the time before counts: the target is for
  the whole problem, not a fresh one per attempt; the time it lay resolved does not).
- Escalation: the ticket is measured against the targets of its current tier from its
  creation (a ticket raised to 升级 after 50 minutes has used 50 of the 升级 minutes).
- State: breached (either clock over its target, even while waiting or once resolved) >
  met (resolved, feedback or closed within both targets) > paused (waiting on the
  customer) > at risk (a running clock past ``at_risk_share`` of its target) > on track.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from guanxi.core.business_calendar import Schedule
from guanxi.servicedesk.models import SlaState, State
from guanxi.servicedesk.sla_clock import (
    Interval,
    add_business_minutes,
    business_seconds,
    unofficial_years,
)

STOPPED = frozenset({State.RESOLVED, State.FEEDBACK, State.CLOSED})


@dataclass(frozen=True)
class Target:
    first_response_minutes: int
    resolution_minutes: int
    at_risk_share: Decimal


@dataclass(frozen=True)
class StateChange:
    at: dt.datetime
    from_value: str
    to_value: str


@dataclass(frozen=True)
class ClockReading:
    target_seconds: int
    seconds: int  # business seconds used so far (or in all, once stopped)
    due: dt.datetime
    running: bool
    breached: bool

    @property
    def share(self) -> float:
        """Business time used as a share of the target (1.0 = the target, may exceed it)."""
        return self.seconds / self.target_seconds if self.target_seconds else 1.0

    @property
    def remaining_seconds(self) -> int:
        """Business seconds left to the target; negative = over by that much."""
        return self.target_seconds - self.seconds


@dataclass(frozen=True)
class Reading:
    first_response: ClockReading
    resolution: ClockReading
    state: SlaState
    unofficial_years: tuple[int, ...]  # years counted Monday–Friday (no calendar data)

    @property
    def focus(self) -> tuple[str, ClockReading]:
        """The clock a queue shows: a breached one first, else the running one nearest its
        target, else resolution."""
        clocks = [("first_response", self.first_response), ("resolution", self.resolution)]
        for name, clock in clocks:
            if clock.breached:
                return name, clock
        running = [(c.share, i) for i, (_n, c) in enumerate(clocks) if c.running]
        if running:
            return clocks[max(running)[1]]
        return clocks[1]


def periods(
    changes: Iterable[StateChange], now: dt.datetime, *, state: str, stopped_at: dt.datetime | None
) -> tuple[list[Interval], list[Interval], dt.datetime | None]:
    """The intervals spent waiting on the customer, the intervals spent resolved/closed, and
    when the current stop began (None when the ticket is not stopped now).

    An interval still open is closed at ``now``. A ticket whose state says stopped but whose
    history has no such change (rows made without events) is taken as stopped since
    ``stopped_at`` (its ``resolved_at`` or ``closed_at``)."""
    waiting: list[Interval] = []
    resolved: list[Interval] = []
    wait_from: dt.datetime | None = None
    stop_from: dt.datetime | None = None
    for change in sorted(changes, key=lambda c: c.at):
        at = min(change.at, now)
        if change.to_value == State.WAITING:
            wait_from = wait_from or at
        elif wait_from is not None:
            waiting.append((wait_from, at))
            wait_from = None
        if change.to_value in STOPPED:
            stop_from = stop_from or at
        elif stop_from is not None:
            resolved.append((stop_from, at))
            stop_from = None
    if wait_from is not None and state == State.WAITING:
        waiting.append((wait_from, now))
    current_stop = (stop_from or stopped_at or now) if state in STOPPED else None
    return waiting, resolved, current_stop


def read(
    *,
    created_at: dt.datetime,
    first_response_at: dt.datetime | None,
    resolved_at: dt.datetime | None,
    state: str,
    changes: Iterable[StateChange],
    target: Target,
    schedule: Schedule,
    time_zone: str,
    now: dt.datetime,
) -> Reading:
    """Both clocks of a ticket at ``now`` (see the module's rules)."""
    waiting, resolved, stop_from = periods(changes, now, state=state, stopped_at=resolved_at)
    stopped = stop_from is not None

    def seconds(end: dt.datetime, pauses: list[Interval]) -> int:
        return business_seconds(
            created_at, min(end, now), schedule=schedule, time_zone=time_zone, pauses=pauses
        )

    def due(minutes: int, pauses: list[Interval]) -> dt.datetime:
        return add_business_minutes(
            created_at, minutes, schedule=schedule, time_zone=time_zone, pauses=pauses
        )

    # First response.
    fr_target = target.first_response_minutes * 60
    fr_end = first_response_at or (stop_from if stopped else None)
    fr_seconds = seconds(fr_end or now, waiting)
    first_response = ClockReading(
        target_seconds=fr_target,
        seconds=fr_seconds,
        due=due(target.first_response_minutes, waiting),
        running=fr_end is None,
        breached=fr_seconds > fr_target,
    )

    # Resolution: the time spent resolved before a reopening is a pause; the current stop
    # ends the clock (and is left out of the due time, which stays as it was at the stop).
    res_target = target.resolution_minutes * 60
    res_pauses = waiting + resolved
    res_seconds = seconds(stop_from or now, res_pauses)
    resolution = ClockReading(
        target_seconds=res_target,
        seconds=res_seconds,
        due=due(target.resolution_minutes, res_pauses),
        running=not stopped,
        breached=res_seconds > res_target,
    )

    share = float(target.at_risk_share)
    if first_response.breached or resolution.breached:
        sla_state = SlaState.BREACHED
    elif stopped:
        sla_state = SlaState.MET
    elif state == State.WAITING:
        sla_state = SlaState.PAUSED
    elif any(c.running and c.share >= share for c in (first_response, resolution)):
        sla_state = SlaState.AT_RISK
    else:
        sla_state = SlaState.ON_TRACK
    return Reading(first_response, resolution, sla_state, unofficial_years(created_at, now))
