"""The ticket's life (SPEC §6): received → classified → in progress → waiting on customer →
resolved → feedback given → closed, and reopened. Pure data: the services enforce it."""

from __future__ import annotations

from guanxi.servicedesk.models import State

# Where each state may go. A ticket can be resolved straight from classification (an
# inquiry answered at once) and reopened from any finished state; closing needs a resolution.
MOVES: dict[str, frozenset[str]] = {
    State.RECEIVED: frozenset({State.CLASSIFIED, State.IN_PROGRESS}),
    State.CLASSIFIED: frozenset({State.IN_PROGRESS, State.WAITING, State.RESOLVED}),
    State.IN_PROGRESS: frozenset({State.WAITING, State.RESOLVED}),
    State.WAITING: frozenset({State.IN_PROGRESS, State.RESOLVED}),
    State.RESOLVED: frozenset({State.FEEDBACK, State.CLOSED, State.REOPENED}),
    State.FEEDBACK: frozenset({State.CLOSED, State.REOPENED}),
    State.CLOSED: frozenset({State.REOPENED}),
    State.REOPENED: frozenset({State.IN_PROGRESS, State.WAITING, State.RESOLVED}),
}

# Resolved, feedback given or closed: the resolution clock has stopped.
FINISHED = frozenset({State.RESOLVED, State.FEEDBACK, State.CLOSED})
# States counted as "open" in the queues and reports.
OPEN = frozenset(State.values) - FINISHED
# The customer has been answered once the ticket is worked on (first response).
ANSWERED = frozenset({State.IN_PROGRESS, State.WAITING, State.RESOLVED})


def allowed(current: str, target: str) -> bool:
    return target in MOVES.get(current, frozenset())
