"""The shop's settings: thresholds and windows of SPEC §2 and §4, and the scorecard (§3).

Reads give the rule objects the metric functions take (``ServiceRules``,
``PlatformRules``, ``AttributionRules``, the DSR window, the ``Scorecard``); writes validate
everything first and save nothing when any value is wrong. Until a manager saves something,
every value is SPEC's default (the model's defaults come from the rule dataclasses themselves).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.core.errors import UserInputError
from guanxi.metrics import scorecard as engine
from guanxi.metrics.rules import AttributionRules, PlatformRules, ServiceRules
from guanxi.performance.models import ShopSettings

SCORECARD_SOURCE = "scorecard"
DSR_UNITS = ("month", "day")


class SettingsError(UserInputError):
    """A threshold or window is out of range; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.detail = message


@dataclass(frozen=True)
class RuleField:
    """One configurable number: its bounds, unit and what it changes (for the page)."""

    name: str
    group: str  # service | platform | attribution | dsr
    label: str | Promise
    unit: str | Promise
    minimum: int
    maximum: int
    rule: str | Promise  # the SPEC rule it sets, shown beside the field


RULE_FIELDS: tuple[RuleField, ...] = (
    RuleField(
        "slow_seconds",
        "service",
        _("慢响应阈值"),
        _("秒"),
        1,
        3600,
        _("慢响应人数：客服回复某一轮超过此时长的客户数"),
    ),
    RuleField(
        "quick_seconds",
        "service",
        _("快速响应阈值"),
        _("秒"),
        1,
        3600,
        _("三分钟响应率：考核时段内在此时长内回复的轮次占比"),
    ),
    RuleField(
        "quick_from_hour",
        "service",
        _("快速响应考核开始时刻"),
        _("时"),
        0,
        23,
        _("三分钟响应率只考核此时刻起开始的轮次（当地时间）"),
    ),
    RuleField(
        "quick_to_hour",
        "service",
        _("快速响应考核结束时刻"),
        _("时"),
        1,
        24,
        _("三分钟响应率只考核此时刻前开始的轮次（24 即午夜）"),
    ),
    # Pinduoduo's rule is an hour per round (a day at most is still a reply rule); Douyin's
    # is minutes per message, so an hour is plenty. Hours as the quick hours: from 0–23,
    # to 1–24, the rounds or messages starting in [from, to) local time count.
    RuleField(
        "pdd_seconds",
        "platform",
        _("拼多多有效回复时限"),
        _("秒"),
        1,
        24 * 3600,
        _("拼多多有效回复率：考核时段内每一轮都在此时长内回复的客户占比"),
    ),
    RuleField(
        "pdd_from_hour",
        "platform",
        _("拼多多考核开始时刻"),
        _("时"),
        0,
        23,
        _("拼多多有效回复率只考核此时刻起开始的轮次（当地时间）"),
    ),
    RuleField(
        "pdd_to_hour",
        "platform",
        _("拼多多考核结束时刻"),
        _("时"),
        1,
        24,
        _("拼多多有效回复率只考核此时刻前开始的轮次（24 即午夜）"),
    ),
    RuleField(
        "douyin_seconds",
        "platform",
        _("抖音人工回复时限"),
        _("秒"),
        1,
        3600,
        _("抖音三分钟人工回复率：考核时段内在此时长内得到回复的客户消息占比"),
    ),
    RuleField(
        "douyin_from_hour",
        "platform",
        _("抖音考核开始时刻"),
        _("时"),
        0,
        23,
        _("抖音三分钟人工回复率只考核此时刻起发出的客户消息（当地时间）"),
    ),
    RuleField(
        "douyin_to_hour",
        "platform",
        _("抖音考核结束时刻"),
        _("时"),
        1,
        24,
        _("抖音三分钟人工回复率只考核此时刻前发出的客户消息（24 即午夜）"),
    ),
    RuleField(
        "after_sale_days",
        "attribution",
        _("售后期"),
        _("天"),
        0,
        365,
        _("订单签收后此天数内的咨询算售后"),
    ),
    RuleField(
        "attribution_hours",
        "attribution",
        _("订单归属窗口"),
        _("小时"),
        1,
        24 * 30,
        _("订单归于下单前此时长内最后一个在售前会话中发消息的客服"),
    ),
    RuleField(
        "next_day_days",
        "attribution",
        _("次日付款窗口"),
        _("天"),
        0,
        30,
        _("询单→次日付款：询单当天之后第几天结束前付款"),
    ),
    RuleField(
        "final_days",
        "attribution",
        _("最终付款窗口"),
        _("天"),
        0,
        30,
        _("询单→最终付款成功率：询单当天之后第几天结束前付款"),
    ),
    RuleField(
        "dsr_window_length",
        "dsr",
        _("DSR 窗口长度"),
        _("月或天"),
        1,
        366,
        _("店铺动态评分取最近这么多个月（淘宝 6 个月）或天的评分"),
    ),
)
FIELD_NAMES = (*(f.name for f in RULE_FIELDS), "dsr_window_unit")


def defaults() -> dict[str, Any]:
    """SPEC §2 and §4's values, as the model declares them."""
    blank = ShopSettings()
    return {name: getattr(blank, name) for name in FIELD_NAMES}


def current() -> ShopSettings:
    """The saved settings, or an unsaved row of defaults when nobody has saved any."""
    return ShopSettings.objects.filter(pk=1).first() or ShopSettings(pk=1)


def service_rules(shop: ShopSettings | None = None) -> ServiceRules:
    shop = shop or current()
    return ServiceRules(
        slow_seconds=shop.slow_seconds,
        quick_seconds=shop.quick_seconds,
        quick_from_hour=shop.quick_from_hour,
        quick_to_hour=shop.quick_to_hour,
    )


def platform_rules(shop: ShopSettings | None = None) -> PlatformRules:
    shop = shop or current()
    return PlatformRules(
        pdd_seconds=shop.pdd_seconds,
        pdd_from_hour=shop.pdd_from_hour,
        pdd_to_hour=shop.pdd_to_hour,
        douyin_seconds=shop.douyin_seconds,
        douyin_from_hour=shop.douyin_from_hour,
        douyin_to_hour=shop.douyin_to_hour,
    )


def attribution_rules(shop: ShopSettings | None = None) -> AttributionRules:
    shop = shop or current()
    return AttributionRules(
        after_sale_days=shop.after_sale_days,
        attribution_hours=shop.attribution_hours,
        next_day_days=shop.next_day_days,
        final_days=shop.final_days,
    )


def dsr_window(shop: ShopSettings | None = None) -> tuple[str, int]:
    """(unit, length): ("month", 6) for Taobao's six months, ("day", 90) for 90 days."""
    shop = shop or current()
    return shop.dsr_window_unit, shop.dsr_window_length


def scorecard_text(shop: ShopSettings | None = None) -> str:
    shop = shop or current()
    return shop.scorecard_toml or engine.default_text()


def scorecard(shop: ShopSettings | None = None) -> engine.Scorecard:
    """The shop's scorecard (SPEC §3's until a manager saves another)."""
    from guanxi.metrics.agents import KEYS  # here: the agent report's module imports Ibis

    shop = shop or current()
    if not shop.scorecard_toml:
        return engine.load(None, KEYS)
    return engine.loads(shop.scorecard_toml, SCORECARD_SOURCE, KEYS)


def rules_check(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every threshold and window, checked: whole numbers in range, consistent hours and
    windows. Raises ``SettingsError`` naming the first bad field."""
    clean: dict[str, Any] = {}
    for field in RULE_FIELDS:
        raw = values.get(field.name)
        if isinstance(raw, bool) or raw is None or raw == "":
            raise SettingsError(field.name, "a whole number is required")
        try:
            number = int(str(raw).strip())
        except ValueError:
            raise SettingsError(field.name, f"{raw!r} is not a whole number") from None
        if not field.minimum <= number <= field.maximum:
            raise SettingsError(field.name, f"{number} is outside {field.minimum}–{field.maximum}")
        clean[field.name] = number
    unit = values.get("dsr_window_unit")
    if unit not in DSR_UNITS:
        raise SettingsError("dsr_window_unit", f"{unit!r} is not one of {', '.join(DSR_UNITS)}")
    clean["dsr_window_unit"] = unit
    for prefix in ("quick", "pdd", "douyin"):
        start, end = clean[f"{prefix}_from_hour"], clean[f"{prefix}_to_hour"]
        if start >= end:
            raise SettingsError(
                f"{prefix}_to_hour", f"the hours must start before they end ({start} ≥ {end})"
            )
    if clean["next_day_days"] > clean["final_days"]:
        raise SettingsError(
            "final_days",
            f"the final window ({clean['final_days']}) is shorter than the next-day window "
            f"({clean['next_day_days']})",
        )
    if unit == "month" and clean["dsr_window_length"] > 24:
        raise SettingsError("dsr_window_length", "a window in months may be 1–24 months")
    return clean


def _row_for_update() -> ShopSettings:
    ShopSettings.objects.get_or_create(pk=1)
    return ShopSettings.objects.select_for_update().get(pk=1)


@transaction.atomic
def rules_update(*, user: User | None, values: Mapping[str, Any]) -> ShopSettings:
    """Save every threshold and window at once (nothing is saved if one is wrong)."""
    clean = rules_check(values)
    shop = _row_for_update()
    for name, value in clean.items():
        setattr(shop, name, value)
    shop.updated_by = user if user is not None and user.pk else None
    shop.save()
    # A new after-sale or attribution window changes the derived stages and attribution.
    transaction.on_commit(_derived_follow)
    return shop


def _derived_follow() -> None:
    from guanxi.imports import derived  # imports reads these settings: a late import

    derived.request_refresh()


def rules_reset(*, user: User | None) -> ShopSettings:
    """Back to SPEC §2 and §4's thresholds and windows (the scorecard is kept)."""
    return rules_update(user=user, values=defaults())


@transaction.atomic
def scorecard_update(*, user: User | None, text: str | None) -> ShopSettings:
    """Save a scorecard's TOML after validating it (``None``: back to SPEC §3's default).

    Raises ``ScorecardError`` naming the item and the bands; nothing is saved then.
    """
    from guanxi.metrics.agents import KEYS

    if text is not None:
        engine.loads(text, SCORECARD_SOURCE, KEYS)
    shop = _row_for_update()
    shop.scorecard_toml = text or ""
    shop.updated_by = user if user is not None and user.pk else None
    shop.save()
    return shop


@transaction.atomic
def settings_save(
    *, user: User | None, values: Mapping[str, Any], scorecard_toml: str | None
) -> ShopSettings:
    """Thresholds, windows and scorecard together (the API's PUT): all checked before
    anything is written, so a bad scorecard leaves the thresholds unchanged too."""
    from guanxi.metrics.agents import KEYS

    rules_check(values)
    if scorecard_toml is not None:
        engine.loads(scorecard_toml, SCORECARD_SOURCE, KEYS)
    rules_update(user=user, values=values)
    return scorecard_update(user=user, text=scorecard_toml)
