"""Customer insight (客户数据分析, SPEC §9; seed 002 ch.8): the predictions' runs and what the
latest good run of each kind says per customer and per product.

A run is one fit of one model family on the lake as it was (its inputs' Delta versions are
kept with it), with its parameters, progress and metrics; a failed run says why in words
and leaves the serving run in place. Per-customer results are pseudonymous (customer_key)
and hold no personal data; they live in the app database so that segments can filter and
sort by them beside the customers' standing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunKind(models.TextChoices):
    CLV = "clv", _("客户终身价值 (BG/NBD + Gamma-Gamma)")
    CHURN = "churn", _("流失风险")
    CLUSTERS = "clusters", _("客户聚类")
    BASKET = "basket", _("关联规则与推荐")


class RunState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ModelRun(models.Model):
    kind = models.CharField(_("模型"), max_length=16, choices=RunKind.choices)
    state = models.CharField(
        _("状态"), max_length=16, choices=RunState.choices, default=RunState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)  # 0–100
    step = models.CharField(_("当前步骤"), max_length=200, blank=True, default="")
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # The lake tables' Delta versions the run read ({"orders": 12, ...}).
    input_versions = models.JSONField(_("输入版本"), default=dict, blank=True)
    metrics = models.JSONField(_("指标"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True, default="")  # why it failed, in words
    # The run the pages read for its kind: the latest that finished well.
    serving = models.BooleanField(_("在用"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("模型运行")
        permissions = [("run_models", _("Can fit and score the prediction models"))]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(serving=True),
                name="insight_one_serving_run_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class CustomerPrediction(models.Model):
    """What the serving runs say about one customer (one row per customer key)."""

    customer_key = models.CharField(_("客户编号"), max_length=32, unique=True)
    customer = models.OneToOneField(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="prediction",
    )
    # CLV (BG/NBD + Gamma-Gamma)
    p_alive = models.FloatField(_("活跃概率"), null=True, blank=True)
    expected_30 = models.FloatField(_("未来30天预计购买"), null=True, blank=True)
    expected_90 = models.FloatField(_("未来90天预计购买"), null=True, blank=True)
    expected_365 = models.FloatField(_("未来365天预计购买"), null=True, blank=True)
    expected_value = models.DecimalField(
        _("预计客单价"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    clv = models.DecimalField(
        _("客户终身价值"), max_digits=14, decimal_places=2, null=True, blank=True, db_index=True
    )
    clv_run = models.ForeignKey(
        ModelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # churn risk
    churn_risk = models.FloatField(_("流失风险"), null=True, blank=True, db_index=True)
    churn_reasons = models.JSONField(_("流失原因"), default=list, blank=True)
    churn_run = models.ForeignKey(
        ModelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # clusters
    cluster = models.SmallIntegerField(_("聚类"), null=True, blank=True)
    cluster_name = models.CharField(_("聚类名称"), max_length=40, blank=True, default="")
    cluster_run = models.ForeignKey(
        ModelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # next products (ids, best first)
    recommendations = models.JSONField(_("推荐商品"), default=list, blank=True)
    recommend_run = models.ForeignKey(
        ModelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("客户预测")

    def __str__(self) -> str:
        return self.customer_key


class ProductRule(models.Model):
    """An association rule of a basket run: antecedent ⇒ consequent (product ids)."""

    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="rules")
    antecedent = models.JSONField(_("前项"))
    consequent = models.JSONField(_("后项"))
    baskets = models.PositiveIntegerField(_("同时出现的订单数"))
    support = models.FloatField(_("支持度"))
    confidence = models.FloatField(_("置信度"))
    lift = models.FloatField(_("提升度"))

    class Meta:
        ordering = ["-lift", "-confidence", "id"]
        verbose_name = _("关联规则")

    def __str__(self) -> str:
        return f"{self.antecedent} ⇒ {self.consequent}"
