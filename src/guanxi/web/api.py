"""What every area's API router shares: the period of a query, the error body and the
permission check, so that a bad period or a refusal reads the same on every endpoint."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Schema
from ninja.errors import HttpError

from guanxi.core.timeutil import Period, period_between


class PeriodIn(Schema):
    start: dt.date
    end: dt.date


class ErrorOut(Schema):
    detail: str


def period_of(query: PeriodIn) -> Period:
    """The query's period; 400 naming both days when they are the wrong way round."""
    try:
        return period_between(query.start, query.end)
    except ValueError as exc:
        raise HttpError(400, str(exc)) from None


def require(request: HttpRequest, permission: str, what: str) -> None:
    """403 unless the user holds ``permission``; ``what`` says what was refused."""
    if not request.user.has_perm(permission):
        raise HttpError(403, f"only managers {what}")
