"""The points (积分) ledger: an append-only list of entries per customer, the allocations
that say which earned points each debit used (FIFO by earning date), and a balance row per
customer that redemptions lock.

The balance is the sum of a customer's entries. ``PointsAccount.balance`` holds the same sum,
kept in the transaction that writes each entry, so that a redemption can lock one row and
check it; the database refuses a negative balance (a CHECK constraint) whatever the code
does. Entries and allocations are only ever added: database triggers refuse an UPDATE
(migration 0002); they are deleted only with their customer (the PIPL erasure deletes the
master row, and these with it).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.customers.models import Customer
from guanxi.loyalty.rules import MemberRules, PointsRules

_RULES = PointsRules()
_MEMBER = MemberRules()


class EntryKind(models.TextChoices):
    EARN = "earn", _("消费获得")
    REDEEM = "redeem", _("兑换")
    EXPIRE = "expire", _("过期")
    ADJUST = "adjust", _("人工调整")
    CLAWBACK = "clawback", _("退款扣回")


# The kinds whose source is an order: each order has at most one entry of each.
ORDER_KINDS = (EntryKind.EARN, EntryKind.CLAWBACK)


class PointsEntry(models.Model):
    """One change of a customer's points. Earnings and positive adjustments are *lots*: they
    carry ``earned_at`` and ``expires_at`` and are used up oldest first."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    points = models.IntegerField(_("积分"))
    # The order an earning or a clawback comes from (empty for the other kinds).
    platform = models.CharField(_("平台"), max_length=16, blank=True, default="")
    order_id = models.CharField(_("订单号"), max_length=64, blank=True, default="")
    earned_at = models.DateTimeField(_("获得时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    # A clawback's points the order had earned but the customer had already spent.
    shortfall = models.PositiveIntegerField(_("未能扣回"), default=0)
    reason = models.CharField(_("原因"), max_length=200, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    created_at = models.DateTimeField(_("记录时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["customer_id", "id"]
        verbose_name = _("积分流水")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "order_id"],
                condition=Q(kind="earn"),
                name="points_order_earns_once",
            ),
            models.UniqueConstraint(
                fields=["platform", "order_id"],
                condition=Q(kind="clawback"),
                name="points_order_clawed_back_once",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="earn", points__gt=0)
                    | Q(kind__in=["redeem", "expire"], points__lt=0)
                    | Q(kind="clawback", points__lte=0)
                    | (Q(kind="adjust") & ~Q(points=0))
                ),
                name="points_sign_fits_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["earn", "clawback"]) | ~Q(order_id=""),
                name="points_order_kinds_name_order",
            ),
            models.CheckConstraint(
                condition=~Q(kind="adjust") | ~Q(reason=""), name="points_adjust_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["expires_at"], name="points_lot_expiry"),
            models.Index(fields=["customer", "earned_at"], name="points_lot_age"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.kind} {self.points:+d}"


class PointsAllocation(models.Model):
    """``points`` of the lot ``lot`` used by the debit ``debit`` (a redemption, expiry,
    clawback or negative adjustment). A lot's remaining points are its points less these."""

    debit = models.ForeignKey(PointsEntry, on_delete=models.CASCADE, related_name="allocations")
    lot = models.ForeignKey(PointsEntry, on_delete=models.CASCADE, related_name="used_by")
    points = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_allocation_positive"),
            models.UniqueConstraint(fields=["debit", "lot"], name="points_allocation_once"),
        ]

    def __str__(self) -> str:
        return f"{self.debit_id} ← {self.lot_id}: {self.points}"


class PointsAccount(models.Model):
    """A customer's balance, equal to the sum of their entries: the row a redemption locks."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="+")
    balance = models.IntegerField(_("积分余额"), default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.balance}"


class PointsSettings(models.Model):
    """The shop's points rules (one row, ``pk = 1``; defaults from ``PointsRules``)."""

    points_per_yuan = models.DecimalField(
        _("每元积分"), max_digits=7, decimal_places=2, default=Decimal(_RULES.points_per_yuan)
    )
    expiry_months = models.PositiveSmallIntegerField(
        _("积分有效期（月）"), default=_RULES.expiry_months
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        verbose_name = _("积分规则")

    def __str__(self) -> str:
        return f"{self.points_per_yuan}/¥, {self.expiry_months} months"


class MemberScore(models.Model):
    """A customer's member score (会员成长值, in the style of 淘气值) for one month: the
    purchase, interaction and credit parts over the trailing 12 months at ``as_of`` and the
    tier they give. One row per customer and month; kept, so the profile shows the history."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="member_scores"
    )
    month = models.DateField(_("月份"))  # the first day of the month the score is for
    as_of = models.DateField(_("统计截至"))
    purchase = models.IntegerField(_("购买分"))
    interaction = models.IntegerField(_("互动分"))
    credit = models.IntegerField(_("信用分"))
    score = models.IntegerField(_("成长值"))
    tier = models.CharField(_("会员等级"), max_length=16)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        ordering = ["customer_id", "-month"]
        verbose_name = _("会员成长值")
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="one_member_score_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}: {self.score}"


def default_benefits() -> dict[str, list[str]]:
    """The benefits each tier and perk level gives, as a shop would start (editable): the
    seed's examples turned into a shop's own — 极速退款 for super members (the case of 老周),
    daily coupons from 400, a VIP-like treatment from 800."""
    return {
        "ordinary": ["积分兑换", "生日关怀"],
        "daily": ["每日可领5元店铺券"],
        "premium": ["优先发货", "专属客服"],
        "super": ["极速退款", "每月10元无门槛券", "专属客服"],
        "apass": ["极速退款", "每月30元无门槛券", "专属客服", "新品优先试用", "受邀加入APASS"],
    }


def default_coupons() -> dict[str, str]:
    """The monthly coupon value (¥) per tier (editable; "0.00": none)."""
    return {"ordinary": "0.00", "super": "10.00", "apass": "30.00"}


class MemberSettings(models.Model):
    """The shop's member-score settings (one row, ``pk = 1``): tier bounds, the perk
    thresholds, the benefits of each tier and perk, and the day of the month the monthly job
    runs; the formula's weights are ``MemberRules``' defaults. Also the last run's record."""

    super_from = models.PositiveIntegerField(_("超级会员起点（分）"), default=_MEMBER.super_from)
    apass_from = models.PositiveIntegerField(_("APASS起点（分）"), default=_MEMBER.apass_from)
    perk_daily_from = models.PositiveIntegerField(
        _("日常福利起点（分）"), default=_MEMBER.perk_daily_from
    )
    perk_premium_from = models.PositiveIntegerField(
        _("尊享礼遇起点（分）"), default=_MEMBER.perk_premium_from
    )
    benefits = models.JSONField(_("权益"), default=default_benefits)
    coupons = models.JSONField(_("每月优惠券面额"), default=default_coupons)
    run_day = models.PositiveSmallIntegerField(_("每月计算日"), default=8)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True, default="")
    # the last computation (the monthly job or on demand)
    last_run_at = models.DateTimeField(_("上次计算"), null=True, blank=True)
    last_run_month = models.DateField(null=True, blank=True)
    last_run_as_of = models.DateField(null=True, blank=True)
    last_run_customers = models.PositiveIntegerField(default=0)
    last_run_seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("会员等级设置")

    def __str__(self) -> str:
        return f"super ≥ {self.super_from}, apass ≥ {self.apass_from}, day {self.run_day}"
