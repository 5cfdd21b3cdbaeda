"""Inputs to the performance figures that do not come from the platforms' fact exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.metrics.rules import AttributionRules, PlatformRules, ServiceRules

_SERVICE = ServiceRules()
_ATTRIBUTION = AttributionRules()
_PLATFORM = PlatformRules()


class ShopSettings(models.Model):
    """The shop's thresholds, windows and scorecard (SPEC §2–§4); one row per installation.

    Guanxi serves one shop per installation (there is no Shop model), so this is a single
    row with ``pk = 1``. Its defaults are SPEC §2's, taken from the rule dataclasses of
    ``guanxi.metrics`` so that the two cannot drift apart. ``scorecard_toml`` is empty while
    the shop uses SPEC §3's default scorecard.
    """

    # ServiceRules (metrics/chat.py)
    slow_seconds = models.PositiveIntegerField(_("慢响应阈值"), default=_SERVICE.slow_seconds)
    quick_seconds = models.PositiveIntegerField(_("快速响应阈值"), default=_SERVICE.quick_seconds)
    quick_from_hour = models.PositiveSmallIntegerField(
        _("快速响应考核开始时刻"), default=_SERVICE.quick_from_hour
    )
    quick_to_hour = models.PositiveSmallIntegerField(
        _("快速响应考核结束时刻"), default=_SERVICE.quick_to_hour
    )
    # PlatformRules (metrics/platform_rules.py): Pinduoduo's and Douyin's reply rules.
    pdd_seconds = models.PositiveIntegerField(
        _("拼多多有效回复时限"), default=_PLATFORM.pdd_seconds
    )
    pdd_from_hour = models.PositiveSmallIntegerField(
        _("拼多多考核开始时刻"), default=_PLATFORM.pdd_from_hour
    )
    pdd_to_hour = models.PositiveSmallIntegerField(
        _("拼多多考核结束时刻"), default=_PLATFORM.pdd_to_hour
    )
    douyin_seconds = models.PositiveIntegerField(
        _("抖音人工回复时限"), default=_PLATFORM.douyin_seconds
    )
    douyin_from_hour = models.PositiveSmallIntegerField(
        _("抖音考核开始时刻"), default=_PLATFORM.douyin_from_hour
    )
    douyin_to_hour = models.PositiveSmallIntegerField(
        _("抖音考核结束时刻"), default=_PLATFORM.douyin_to_hour
    )
    # AttributionRules (metrics/attribution.py)
    after_sale_days = models.PositiveIntegerField(_("售后期"), default=_ATTRIBUTION.after_sale_days)
    attribution_hours = models.PositiveIntegerField(
        _("订单归属窗口"), default=_ATTRIBUTION.attribution_hours
    )
    next_day_days = models.PositiveSmallIntegerField(
        _("次日付款窗口"), default=_ATTRIBUTION.next_day_days
    )
    final_days = models.PositiveSmallIntegerField(
        _("最终付款窗口"), default=_ATTRIBUTION.final_days
    )
    # DSR (metrics/dsr.py): a rolling window of months (Taobao) or days (Douyin).
    dsr_window_unit = models.CharField(
        _("DSR 窗口单位"),
        max_length=8,
        choices=[("month", _("月（淘宝）")), ("day", _("天（抖音）"))],
        default="month",
    )
    dsr_window_length = models.PositiveIntegerField(_("DSR 窗口长度"), default=6)
    # Empty while the shop uses SPEC §3's default scorecard.
    scorecard_toml = models.TextField(_("KPI 考核表"), blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("店铺设置")

    def __str__(self) -> str:
        return f"shop settings (updated {self.updated_at:%Y-%m-%d %H:%M})"


class ManualScore(models.Model):
    """A manager's score for a manual scorecard item (e.g. 日常工作), per agent and month.

    Append-only: a correction is a new row, so every score keeps who entered it and when;
    the latest row for (agent, month, item) is the one that counts.
    """

    agent_id = models.CharField(_("客服账号"), max_length=64)
    month = models.DateField(_("月份"))  # the first day of the month
    item = models.CharField(_("考核项"), max_length=64)  # the manual item's ``metric`` key
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    note = models.CharField(_("备注"), max_length=200, blank=True, default="")
    recorded_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_by_username = models.CharField(_("录入人"), max_length=150)

    class Meta:
        ordering = ["agent_id", "month", "item", "-recorded_at", "-id"]
        verbose_name = _("人工评分")
        indexes = [models.Index(fields=["month", "agent_id", "item"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=0) & models.Q(score__lte=100),
                name="manual_score_0_to_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.agent_id} {self.item} = {self.score}"
