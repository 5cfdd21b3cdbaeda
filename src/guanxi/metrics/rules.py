"""The shop's configurable thresholds and windows (SPEC §2), apart from the Ibis code that
uses them: the app's settings model takes its defaults from here at start-up, which must not
import Ibis."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceRules:
    """Thresholds and windows of SPEC §2; every one configurable per shop."""

    slow_seconds: int = 60
    quick_seconds: int = 180
    quick_from_hour: int = 8
    quick_to_hour: int = 24


@dataclass(frozen=True)
class AttributionRules:
    after_sale_days: int = 15
    attribution_hours: int = 72
    next_day_days: int = 1  # 次日: paid by the end of the next local day
    final_days: int = 3  # 最终: paid by the end of the third local day after


@dataclass(frozen=True)
class PlatformRules:
    """The platforms' published thresholds and hours (SPEC §2 defaults)."""

    pdd_seconds: int = 3600
    pdd_from_hour: int = 8
    pdd_to_hour: int = 23
    douyin_seconds: int = 180
    douyin_from_hour: int = 8
    douyin_to_hour: int = 23
