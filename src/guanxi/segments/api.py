"""``/api/segments/…``: list, create, detail with the live count, members (masked, paged).
The same permissions as the pages (``segments.*``: admins, managers, marketing; agents
none). A bad filter is a 422 naming each field, as the builder shows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from guanxi.segments import presenters, selectors, services
from guanxi.segments.filters import FilterError, parse, parse_sort
from guanxi.segments.models import Segment

router = Router(tags=["segments"])
MAX_PAGE_SIZE = 500


def _require(request: HttpRequest, action: str) -> None:
    if not request.user.has_perm(f"segments.{action}_segment"):
        raise HttpError(403, f"needs the permission to {action} segments")


def _segment(segment_id: int) -> Segment:
    segment = selectors.segment_get(segment_id)
    if segment is None:
        raise HttpError(404, f"no segment {segment_id}")
    return segment


class SegmentIn(Schema):
    name: str
    description: str = ""
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description='e.g. {"customer_classes": ["vip"], "spend_min": "500"}',
    )


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    filters: dict[str, Any]
    summary: list[str]
    count: int
    created_by: str
    created_at: dt.datetime
    updated_by: str
    updated_at: dt.datetime


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


class MemberOut(Schema):
    customer_key: str
    name_masked: str
    mobile_masked: str
    region: str
    customer_class: str
    member_tier: str
    rfm_group: str
    paid_amount: Decimal | None
    trailing_paid_amount: Decimal | None
    paid_orders: int | None
    last_paid_on: str
    # the serving prediction runs' values (null: not scored); churn and P(alive) as fractions
    clv: Decimal | None = None
    churn_risk: float | None = None
    p_alive: float | None = None
    cluster_name: str = ""


class MembersOut(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    results: list[MemberOut]


def _out(segment: Segment) -> dict[str, Any]:
    return {
        "id": segment.pk,
        "name": segment.name,
        "description": segment.description,
        "filters": segment.filters,
        "summary": presenters.describe(parse(segment.filters)),
        "count": selectors.member_count(segment),
        "created_by": segment.created_by,
        "created_at": segment.created_at,
        "updated_by": segment.updated_by,
        "updated_at": segment.updated_at,
    }


@router.get("/", response=list[SegmentOut], summary="客户分群: every segment with its live count")
def segment_list(request: HttpRequest) -> list[dict[str, Any]]:
    _require(request, "view")
    return [_out(s) for s in selectors.segment_list()]


@router.post(
    "/",
    response={201: SegmentOut, 422: ValidationOut},
    summary="Save a new segment; a bad name or filter is a 422 naming the field",
)
def segment_create(request: HttpRequest, body: SegmentIn) -> Status[dict[str, Any]]:
    _require(request, "add")
    try:
        segment = services.segment_save(
            name=body.name,
            description=body.description,
            filters=body.filters,
            by=request.user.get_username(),
        )
    except FilterError as exc:
        errors = [{"field": k, "message": v} for k, v in exc.errors.items()]
        return Status(422, {"detail": str(exc), "errors": errors})
    return Status(201, _out(segment))


@router.get("/{segment_id}", response=SegmentOut, summary="One segment with its live count")
def segment_detail(request: HttpRequest, segment_id: int) -> dict[str, Any]:
    _require(request, "view")
    return _out(_segment(segment_id))


@router.get(
    "/{segment_id}/members",
    response=MembersOut,
    summary="A segment's members, masked for every role, by customer key",
)
def segment_members(
    request: HttpRequest, segment_id: int, page: int = 1, page_size: int = 50, sort: str = "key"
) -> dict[str, Any]:
    """``sort``: key, clv_desc, clv_asc, churn_desc, churn_asc, p_alive_desc, p_alive_asc or
    cluster (customers without the prediction last)."""
    _require(request, "view")
    try:
        order = parse_sort(sort)
    except FilterError as error:
        raise HttpError(400, str(error)) from None
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise HttpError(400, f"page_size: {page_size} is out of range; give 1–{MAX_PAGE_SIZE}")
    if page < 1:
        raise HttpError(400, f"page: {page} is out of range; pages start at 1")
    customers = selectors.members(_segment(segment_id), sort=order)
    customers = customers.select_related("standing", "prediction")
    paginator = Paginator(customers, page_size)
    if page > max(paginator.num_pages, 1):
        raise HttpError(404, f"page: {page} is past the last page ({paginator.num_pages})")
    rows = [presenters.member_row(c) for c in paginator.page(page).object_list]
    return {
        "count": paginator.count,
        "page": page,
        "pages": paginator.num_pages,
        "page_size": page_size,
        "results": [
            {
                "customer_key": r.customer_key,
                "name_masked": r.name,
                "mobile_masked": r.mobile,
                "region": r.region,
                "customer_class": r.customer_class,
                "member_tier": r.member_tier_code,
                "rfm_group": r.rfm_group_code,
                "paid_amount": r.paid_amount,
                "trailing_paid_amount": r.trailing_paid_amount,
                "paid_orders": r.paid_orders,
                "last_paid_on": r.last_paid_at,
                "clv": r.clv,
                "churn_risk": r.churn_risk,
                "p_alive": r.p_alive,
                "cluster_name": r.cluster_name,
            }
            for r in rows
        ],
    }
