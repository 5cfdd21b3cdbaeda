"""Satisfaction (满意度, SPEC §5; seeds 001, 002 ch.3, 000 项目二): surveys and their answers,
SERVQUAL items with their remedies, and the alerts raised on bad reviews.

A survey is a list of questions; an invitation is one customer's right to answer it once —
a signed single-use link, or a phone interview keyed in by staff. Its response is a
one-to-one row, so a second answer (two tabs, a double click, a replayed request) cannot be
stored. Answers name the customer by the pseudonymous ``customer_key`` (analysis never needs
more) and link to the master while it exists. A text answer may hold a phone or an address:
it is encrypted like the master's personal fields and shown through ``mask_free_text``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.fields import EncryptedTextField


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("满意度 (CSAT)")
    NPS = "nps", _("推荐意愿 (NPS)")
    SERVQUAL = "servqual", _("服务质量差距 (SERVQUAL)")
    CUSTOM = "custom", _("自定义问卷")


class SurveyState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("收集中")
    CLOSED = "closed", _("已结束")


class DimensionSet(models.TextChoices):
    """SERVQUAL's dimensions: the five of the 1988 instrument, or the ten (十构面) of 1985."""

    FIVE = "five", _("五个维度")
    TEN = "ten", _("十个构面")


class QuestionKind(models.TextChoices):
    RATING5 = "rating5", _("评分 1–5")
    RATING10 = "rating10", _("评分 0–10")
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    TEXT = "text", _("文字")
    # One SERVQUAL item: the customer gives what they expected and what they perceived.
    SERVQUAL = "servqual", _("SERVQUAL 条目")


class Indicator(models.TextChoices):
    """What a question measures (seed 002 §3.1.3 and seed 001's model); the results and the
    dashboard read questions by indicator, whatever their wording."""

    NONE = "", _("无")
    OVERALL = "overall", _("总体满意度")
    SERVICE = "service", _("服务满意度")
    PRODUCT = "product", _("商品质量满意度")
    LOGISTICS = "logistics", _("物流满意度")
    VALUE = "value", _("性价比")
    RECOMMEND = "recommend", _("推荐意愿")
    EXPECTATION = "expectation", _("购前期望")


class Channel(models.TextChoices):
    LINK = "link", _("链接")
    PHONE = "phone", _("电话访谈")


class Survey(models.Model):
    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=SurveyKind.choices)
    intro = models.TextField(_("说明"), blank=True, default="")
    state = models.CharField(
        _("状态"), max_length=16, choices=SurveyState.choices, default=SurveyState.DRAFT
    )
    dimension_set = models.CharField(
        _("SERVQUAL 维度"), max_length=8, choices=DimensionSet.choices, default=DimensionSet.FIVE
    )
    link_days = models.PositiveSmallIntegerField(_("链接有效天数"), default=14)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    opened_at = models.DateTimeField(_("开始收集"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问卷")
        permissions = [
            ("view_results", _("Can read survey results")),
            ("enter_answer", _("Can key in a phone interview's answers")),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("题型"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=300)
    choices = models.JSONField(_("选项"), default=list, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    indicator = models.CharField(
        _("指标"), max_length=16, choices=Indicator.choices, blank=True, default=""
    )
    # SERVQUAL items only: the dimension code (satisfaction.servqual), the Likert scale's top
    # (7 in the instrument), the manager's importance weight and the remedy they decide on.
    dimension = models.CharField(_("维度"), max_length=16, blank=True, default="")
    scale_max = models.PositiveSmallIntegerField(_("量表上限"), default=7)
    importance = models.DecimalField(_("重要性权重"), max_digits=6, decimal_places=3, default=1)
    remedy = models.TextField(_("改进措施"), blank=True, default="")
    # Who wrote the remedy last, and when (the SERVQUAL page shows it beside the remedy).
    remedy_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    remedy_at = models.DateTimeField(_("改进措施更新时间"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        verbose_name = _("问题")

    def __str__(self) -> str:
        return self.text


class Invitation(models.Model):
    """One customer's single right to answer a survey (a link, or a phone interview)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    nonce = models.CharField(max_length=64, unique=True)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    customer_key = models.CharField(_("客户编号"), max_length=32, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    segment = models.ForeignKey(
        "segments.Segment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where the answer should be credited: the ticket it follows, its agent and team, the
    # order and product it is about (all optional).
    ticket = models.ForeignKey(
        "servicedesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.CharField(_("客服组"), max_length=40, blank=True, default="")
    platform = models.CharField(_("平台"), max_length=16, blank=True, default="")
    order_id = models.CharField(_("订单号"), max_length=64, blank=True, default="")
    product_id = models.CharField(_("商品"), max_length=64, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发出时间"))
    expires_at = models.DateTimeField(_("失效时间"))
    answered_at = models.DateTimeField(_("回答时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("问卷邀请")
        constraints = [
            # One open invitation per customer and survey: sending to a segment twice does
            # not ask anyone twice.
            models.UniqueConstraint(
                fields=["survey", "customer_key"],
                condition=~models.Q(customer_key=""),
                name="satisfaction_one_invitation_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Response(models.Model):
    """The one answer an invitation allows (one-to-one: a second cannot be stored)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="response")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    customer_key = models.CharField(_("客户编号"), max_length=32, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        "accounts.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.CharField(_("客服组"), max_length=40, blank=True, default="")
    product_id = models.CharField(_("商品"), max_length=64, blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), db_index=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("问卷答复")

    def __str__(self) -> str:
        return f"{self.survey_id}/{self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # A rating or score (for a SERVQUAL item: the perceived score) ...
    number = models.SmallIntegerField(null=True, blank=True)
    # ... and for a SERVQUAL item the expected score.
    expected = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = EncryptedTextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="satisfaction_one_answer")
        ]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class AlertStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    IN_PROGRESS = "in_progress", _("处理中")
    RESPONDED = "responded", _("已回复")
    CLOSED = "closed", _("已关闭")


class AlertReason(models.TextChoices):
    LOW_RATING = "low_rating", _("低分 (≤ 2 星)")
    NEGATIVE = "negative", _("负面情感")
    BOTH = "both", _("低分且负面")


class ReviewAlert(models.Model):
    """A bad review (≤ 2 stars or negative sentiment) someone has to answer. The review
    itself stays in the lake (its text masked at import); this row tracks who answers it."""

    platform = models.CharField(_("平台"), max_length=16)
    review_id = models.CharField(_("评价编号"), max_length=64)
    order_id = models.CharField(_("订单号"), max_length=64, blank=True, default="")
    product_id = models.CharField(_("商品"), max_length=64, blank=True, default="", db_index=True)
    customer_key = models.CharField(_("客户编号"), max_length=32, blank=True, default="")
    reviewed_at = models.DateTimeField(_("评价时间"), db_index=True)
    rating = models.SmallIntegerField(_("星级"))
    sentiment = models.CharField(_("情感"), max_length=16, blank=True, default="")
    score = models.FloatField(_("情感得分"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=16, choices=AlertReason.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "servicedesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = EncryptedTextField(_("回复内容"), blank=True, default="")
    responded_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("预警时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        verbose_name = _("差评预警")
        constraints = [
            models.UniqueConstraint(fields=["platform", "review_id"], name="satisfaction_one_alert")
        ]
        indexes = [models.Index(fields=["status", "reviewed_at"])]

    def __str__(self) -> str:
        return f"{self.platform}:{self.review_id}"
