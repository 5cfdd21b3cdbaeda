"""``/api/customers/rfm…``: the RFM rows, the eight groups and the R×F grid at a date.

Who may read: the shop's figures (``accounts.view_shop_figures`` with
``customers.view_customer``): admins, managers and marketing. Agents are refused (403):
RFM ranks every customer against all the others, and an agent may see only the customers
they served — a list cut down to those would give scores that no longer mean what they say
(a quintile of the whole shop), so the endpoints are shop-wide or not at all. The rows carry
no personal data (customer key, numbers, group), so marketing reads them as they are.

``as_of`` (YYYY-MM-DD): default the standing's date (the last recompute); then the standing's
rows are read, any other date is counted from the lake (cached), as the explorer does.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from guanxi.customers import rfm
from guanxi.customers import rfm_presenters as present

router = Router(tags=["customers"])
NEEDED = ("accounts.view_shop_figures", "customers.view_customer")
MAX_LIMIT = 5000


class RfmRowOut(Schema):
    customer_key: str
    recency_days: int
    frequency: int
    monetary: str  # yuan, two decimals, exact
    r_score: int
    f_score: int
    m_score: int
    group: str


class RfmPageOut(Schema):
    as_of: dt.date
    total: int
    limit: int
    offset: int
    rows: list[RfmRowOut]


class GroupOut(Schema):
    group: str
    name_zh: str
    name_en: str
    rule: str
    customers: int
    share: float | None
    revenue: str
    revenue_share: float | None
    mean_recency_days: float | None
    mean_frequency: float | None
    mean_monetary: str | None
    previous_customers: int | None
    change: int | None


class GroupsOut(Schema):
    as_of: dt.date
    previous_as_of: dt.date
    customers: int
    revenue: str
    high_score: int
    groups: list[GroupOut]


class CellOut(Schema):
    r_score: int
    f_score: int
    customers: int
    mean_monetary: str | None


class GridOut(Schema):
    as_of: dt.date
    cells: list[CellOut]


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perms(NEEDED):
        raise HttpError(403, "RFM is shop-wide: managers, admins and marketing only")


def _as_of(as_of: dt.date | None) -> dt.date:
    return as_of or rfm.standing_as_of() or _today()


def _today() -> dt.date:
    from guanxi.customers.standing import local_today

    return local_today()


@router.get("/rfm", response=RfmPageOut, summary="RFM per customer at a date")
def rfm_rows(
    request: HttpRequest,
    as_of: dt.date | None = None,
    group: str = "",
    limit: int = 100,
    offset: int = 0,
) -> dict[str, object]:
    """Rows by customer key; ``group`` one of the eight keys (``important_value`` …)."""
    _allowed(request)
    if group and group not in present.rfm_group_keys():
        raise HttpError(
            400,
            f"group: {group!r} is not a group; give one of " + ", ".join(present.rfm_group_keys()),
        )
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise HttpError(400, f"limit must be 1–{MAX_LIMIT} and offset ≥ 0")
    day = _as_of(as_of)
    rows = rfm.filtered(rfm.rows_at(day), group=group)
    return {
        "as_of": day,
        "total": len(rows),
        "limit": limit,
        "offset": offset,
        "rows": [present.json_row(r) for r in rows[offset : offset + limit]],
    }


@router.get("/rfm/groups", response=GroupsOut, summary="The eight RFM groups' figures")
def rfm_groups(request: HttpRequest, as_of: dt.date | None = None) -> dict[str, object]:
    """Customers, shares (fractions), revenue and means per group, and the change against
    the same figures a month earlier."""
    _allowed(request)
    explorer = rfm.explorer(_as_of(as_of))
    return {
        "as_of": explorer.as_of,
        "previous_as_of": explorer.previous_as_of,
        "customers": explorer.customers,
        "revenue": f"{explorer.revenue:.2f}",
        "high_score": explorer.high_score,
        "groups": [present.json_group(g, explorer.high_score) for g in explorer.groups],
    }


@router.get("/rfm/grid", response=GridOut, summary="The 5×5 R×F grid with mean M")
def rfm_grid(request: HttpRequest, as_of: dt.date | None = None) -> dict[str, object]:
    _allowed(request)
    day = _as_of(as_of)
    cells = rfm.grid(rfm.rows_at(day))
    return {
        "as_of": day,
        "cells": [
            {
                "r_score": c.r_score,
                "f_score": c.f_score,
                "customers": c.customers,
                "mean_monetary": None if c.mean_monetary is None else f"{c.mean_monetary:.2f}",
            }
            for row in cells
            for c in row
        ],
    }
