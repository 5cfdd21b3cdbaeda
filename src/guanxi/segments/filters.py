"""A segment's filters: parsed and validated here, without Django, so the page, the JSON count
endpoint, the API and (later) marketing all refuse the same bad input with the same message.

A filter left empty does not narrow the segment; the filters that are set all apply (AND).
Within one filter the values are alternatives (OR), except tags and categories, which say
whether *any* or *all* of the chosen values must hold.

The stored form is ``SegmentFilter.to_json()``: only the filters that are set, with plain
JSON values (amounts as strings, dates as ISO text), so a saved segment reads back the same.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from guanxi.core.errors import UserInputError
from guanxi.metrics.customers import RFM_GROUPS

# Codes of the values each choice filter takes (labels live with the pages: presenters).
CUSTOMER_CLASSES = ("ordinary", "potential", "core", "vip")
# The member tiers of the 淘气值-style score (SPEC §7): <1000, 1000–2500, ≥2500.
MEMBER_TIERS = ("ordinary", "super", "apass")
RFM_GROUP_KEYS = tuple(g.key for g in RFM_GROUPS)
LOYALTY_LEVELS = ("high", "medium", "low")
MATCHES = ("any", "all")
LAST_PURCHASE_MODES = ("within", "not_within", "between")
WINDOWS = ("all", "12m")  # spend and orders: all-time or the trailing 12 months
CONSENT = ("yes", "no")  # marketing consent: the newest register entry grants it, or not

MAX_DAYS = 3650
MAX_AMOUNT = Decimal("999999999999.99")
MAX_VALUES = 200  # values in one list filter (a pasted list of cities, say)
MAX_TEXT = 60

_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")


class FilterError(UserInputError):
    """One or more bad filters; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))


@dataclass(frozen=True)
class SegmentFilter:
    customer_classes: tuple[str, ...] = ()
    member_tiers: tuple[str, ...] = ()
    rfm_groups: tuple[str, ...] = ()
    loyalty_levels: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tags_match: str = "any"
    provinces: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    last_purchase: str = ""  # "" (any), within, not_within, between
    last_purchase_days: int | None = None
    last_purchase_from: dt.date | None = None
    last_purchase_to: dt.date | None = None
    window: str = "all"  # which spend and orders the ranges below read
    spend_min: Decimal | None = None
    spend_max: Decimal | None = None
    orders_min: int | None = None
    orders_max: int | None = None
    categories: tuple[str, ...] = ()
    categories_match: str = "any"
    marketing_consent: str = ""  # "" (either), yes, no
    # The serving prediction runs' values (insight.CustomerPrediction): CLV in yuan, churn
    # risk and P(alive) in percent (0–100, as the pages show them), cluster names. A customer
    # the runs have not scored has no value and is outside every such range.
    clv_min: Decimal | None = None
    clv_max: Decimal | None = None
    churn_min: Decimal | None = None
    churn_max: Decimal | None = None
    p_alive_min: Decimal | None = None
    p_alive_max: Decimal | None = None
    clusters: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The filters that differ from the defaults, as JSON values."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            if isinstance(value, tuple):
                out[f.name] = list(value)
            elif isinstance(value, Decimal):
                out[f.name] = str(value)
            elif isinstance(value, dt.date):
                out[f.name] = value.isoformat()
            else:
                out[f.name] = value
        return out

    @property
    def is_empty(self) -> bool:
        """No filter set: the segment is every customer."""
        return not self.to_json()


FIELD_NAMES = tuple(f.name for f in fields(SegmentFilter))
# The filters that take several values (a form sends them as repeated keys).
LIST_FIELDS = (
    "customer_classes",
    "member_tiers",
    "rfm_groups",
    "loyalty_levels",
    "tags",
    "provinces",
    "cities",
    "categories",
    "clusters",
)
# Of them, those that also read comma-separated text (typed by hand on the page).
TYPED_LISTS = ("cities",)


@dataclass
class _Parser:
    data: Mapping[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    def text(self, name: str) -> str:
        value = self.data.get(name)
        if value is None:
            return ""
        if isinstance(value, list | tuple):
            value = value[-1] if value else ""
        if not isinstance(value, str | int | float | Decimal):
            self.errors[name] = f"{value!r} is not a value; give text"
            return ""
        return str(value).strip()

    def values(self, name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
        raw = self.data.get(name)
        if raw is None or raw == "":
            return ()
        items = list(raw) if isinstance(raw, list | tuple) else [raw]
        if name in TYPED_LISTS:
            items = [p for item in items for p in re.split(r"[,，、\s]+", str(item))]
        out: list[str] = []
        for item in items:
            if not isinstance(item, str):
                self.errors[name] = f"{item!r} is not text; give a list of names"
                return ()
            item = item.strip()
            if not item:
                continue
            if allowed is not None and item not in allowed:
                self.errors[name] = f"{item!r} is not one of {', '.join(allowed)}"
                return ()
            if len(item) > MAX_TEXT:
                self.errors[name] = f"{item[:20]!r}… is longer than {MAX_TEXT} characters"
                return ()
            if item not in out:
                out.append(item)
        if len(out) > MAX_VALUES:
            self.errors[name] = f"{len(out)} values; give at most {MAX_VALUES}"
            return ()
        return tuple(out)

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.text(name) or default
        if value not in allowed and not (value == "" and default == ""):
            self.errors[name] = f"{value!r} is not one of {', '.join(allowed)}"
            return default
        return value

    def whole(self, name: str, *, low: int, high: int, example: str) -> int | None:
        value = self.text(name)
        if not value:
            return None
        if not re.fullmatch(r"\d+", value):
            self.errors[name] = f"{value!r} is not a whole number; give e.g. {example}"
            return None
        number = int(value)
        if not low <= number <= high:
            self.errors[name] = (
                f"{number} is out of range; give a whole number from {low} to {high}"
            )
            return None
        return number

    def amount(self, name: str) -> Decimal | None:
        value = self.text(name).replace(",", "").removeprefix("¥").strip()
        if not value:
            return None
        if not _AMOUNT.fullmatch(value):
            self.errors[name] = f"{self.text(name)!r} is not an amount; give e.g. 500"
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
            self.errors[name] = f"{value!r} is not an amount; give e.g. 500"
            return None
        if amount > MAX_AMOUNT:
            self.errors[name] = f"{value} is too large; give at most {MAX_AMOUNT:,}"
            return None
        return amount

    def percent(self, name: str) -> Decimal | None:
        value = self.text(name).removesuffix("%").strip()
        if not value:
            return None
        if not _AMOUNT.fullmatch(value) or Decimal(value) > 100:
            self.errors[name] = f"{self.text(name)!r} is not a percentage; give 0 to 100, e.g. 60"
            return None
        return Decimal(value)

    def date(self, name: str) -> dt.date | None:
        value = self.text(name)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.errors[name] = f"{value!r} is not a date; give e.g. 2025-06-30"
            return None

    def range_check(self, low_name: str, high_name: str, low: Any, high: Any) -> None:
        if low is not None and high is not None and low > high and high_name not in self.errors:
            self.errors[high_name] = f"{high} is below {low_name} {low}; give a larger maximum"


def parse(data: Mapping[str, Any]) -> SegmentFilter:
    """The filter ``data`` describes (a saved segment's JSON, an API body or the builder's
    form); raises ``FilterError`` naming every bad field and how to fix it."""
    unknown = sorted(set(data) - set(FIELD_NAMES))
    if unknown:
        raise FilterError(
            {name: f"is not a filter; the filters are {', '.join(FIELD_NAMES)}" for name in unknown}
        )
    p = _Parser(data)
    last_purchase = p.choice("last_purchase", LAST_PURCHASE_MODES, "")
    days = p.whole("last_purchase_days", low=1, high=MAX_DAYS, example="90")
    start, end = p.date("last_purchase_from"), p.date("last_purchase_to")
    # The last-purchase inputs that do not belong to the chosen mode are dropped, so a
    # form that keeps a hidden value does not save a filter nobody can see.
    if last_purchase in ("within", "not_within"):
        start = end = None
        if days is None and "last_purchase_days" not in p.errors:
            p.errors["last_purchase_days"] = "is empty; give the number of days, e.g. 90"
    elif last_purchase == "between":
        days = None
        if (
            start is None
            and end is None
            and not {"last_purchase_from", "last_purchase_to"} & set(p.errors)
        ):
            p.errors["last_purchase_from"] = "is empty; give a first day, a last day or both"
        p.range_check("last_purchase_from", "last_purchase_to", start, end)
    else:
        days, start, end = None, None, None
    spend_min, spend_max = p.amount("spend_min"), p.amount("spend_max")
    p.range_check("spend_min", "spend_max", spend_min, spend_max)
    orders_min = p.whole("orders_min", low=0, high=1_000_000, example="2")
    orders_max = p.whole("orders_max", low=0, high=1_000_000, example="10")
    p.range_check("orders_min", "orders_max", orders_min, orders_max)
    clv_min, clv_max = p.amount("clv_min"), p.amount("clv_max")
    p.range_check("clv_min", "clv_max", clv_min, clv_max)
    churn_min, churn_max = p.percent("churn_min"), p.percent("churn_max")
    p.range_check("churn_min", "churn_max", churn_min, churn_max)
    p_alive_min, p_alive_max = p.percent("p_alive_min"), p.percent("p_alive_max")
    p.range_check("p_alive_min", "p_alive_max", p_alive_min, p_alive_max)
    result = SegmentFilter(
        customer_classes=p.values("customer_classes", CUSTOMER_CLASSES),
        member_tiers=p.values("member_tiers", MEMBER_TIERS),
        rfm_groups=p.values("rfm_groups", RFM_GROUP_KEYS),
        loyalty_levels=p.values("loyalty_levels", LOYALTY_LEVELS),
        tags=p.values("tags"),
        tags_match=p.choice("tags_match", MATCHES, "any"),
        provinces=p.values("provinces"),
        cities=p.values("cities"),
        last_purchase=last_purchase,
        last_purchase_days=days,
        last_purchase_from=start,
        last_purchase_to=end,
        window=p.choice("window", WINDOWS, "all"),
        spend_min=spend_min,
        spend_max=spend_max,
        orders_min=orders_min,
        orders_max=orders_max,
        categories=p.values("categories"),
        categories_match=p.choice("categories_match", MATCHES, "any"),
        marketing_consent=p.choice("marketing_consent", CONSENT, ""),
        clv_min=clv_min,
        clv_max=clv_max,
        churn_min=churn_min,
        churn_max=churn_max,
        p_alive_min=p_alive_min,
        p_alive_max=p_alive_max,
        clusters=p.values("clusters"),
    )
    if p.errors:
        raise FilterError(p.errors)
    return result


# How the members may be ordered (the members page's ?sort=, the API's sort): by key, or by
# a prediction, the customers without one last.
SORTS = (
    "key",
    "clv_desc",
    "clv_asc",
    "churn_desc",
    "churn_asc",
    "p_alive_desc",
    "p_alive_asc",
    "cluster",
)


def parse_sort(value: str | None) -> str:
    """The members' order; a FilterError naming ``sort`` for an unknown one."""
    value = (value or "").strip() or "key"
    if value not in SORTS:
        raise FilterError({"sort": f"{value!r} is not one of {', '.join(SORTS)}"})
    return value


def from_form(getlist: Callable[[str], list[str]]) -> dict[str, Any]:
    """The filter part of a submitted form (``QueryDict.getlist``) as data for ``parse``:
    lists for the list filters, the last value for the others, empty ones left out."""
    data: dict[str, Any] = {}
    for name in FIELD_NAMES:
        values = [v for v in getlist(name) if v.strip()]
        if values:
            data[name] = values if name in LIST_FIELDS else values[-1]
    return data
