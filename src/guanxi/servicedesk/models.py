"""The service desk (客服工作台): tickets, their history, routing, SLA targets, after-sales
cases, CSAT answers and the mail that comes and goes (SPEC §6; seeds 000 项目三, 002 §3.3).

Free text (subject, description, notes, escalation reasons, mail) can hold a customer's
phone or address, so it is encrypted like the master's personal fields and shown through
``mask_free_text`` to a role without reveal permission. Tickets name the customer by the
pseudonymous ``customer_key`` (kept after an erasure, when the free text is wiped) and link
to the master while it exists.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.accounts.models import validate_hours
from guanxi.core.fields import EncryptedTextField


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    INQUIRY = "inquiry", _("咨询")
    AFTER_SALES = "after_sales", _("售后")


class Channel(models.TextChoices):
    CHAT = "chat", _("在线咨询")
    PHONE = "phone", _("电话")
    EMAIL = "email", _("邮件")
    DISPUTE = "dispute", _("平台纠纷")
    MANUAL = "manual", _("手工登记")


class Category(models.TextChoices):
    """The three causes the seeds sort complaints by (SPEC §4): product, logistics, service."""

    UNSET = "", _("未分类")
    PRODUCT = "product", pgettext_lazy("ticket field", "商品")  # not the menu's "Products"
    LOGISTICS = "logistics", _("物流")
    SERVICE = "service", _("服务")


class Tier(models.TextChoices):
    ORDINARY = "ordinary", _("普通")
    # 维权, refund disputes, bad reviews, stubborn customers.
    DIFFICULT = "difficult", _("疑难")
    # Platform intervention, media, 315 complaints: a risk of penalties.
    ESCALATED = "escalated", _("升级")


class State(models.TextChoices):
    RECEIVED = "received", _("已受理")
    CLASSIFIED = "classified", _("已分类")
    IN_PROGRESS = "in_progress", _("处理中")
    WAITING = "waiting", _("等待客户")
    RESOLVED = "resolved", _("已解决")
    FEEDBACK = "feedback", _("已反馈")
    CLOSED = "closed", _("已关闭")
    REOPENED = "reopened", _("已重开")


class Sentiment(models.TextChoices):
    UNKNOWN = "", _("未知")
    NEGATIVE = "negative", _("负面")
    NEUTRAL = "neutral", _("中性")
    POSITIVE = "positive", _("正面")


class SlaState(models.TextChoices):
    ON_TRACK = "on_track", _("正常")
    AT_RISK = "at_risk", _("即将超时")
    BREACHED = "breached", _("已超时")
    PAUSED = "paused", _("已暂停")
    MET = "met", _("已达标")


class Department(models.Model):
    """A responsible department (客户服务部, 客户关系部, 市场部 …); the shop edits the list."""

    name = models.CharField(_("部门"), max_length=40, unique=True)
    active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("部门")

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    category = models.CharField(
        _("问题分类"), max_length=16, choices=Category.choices, blank=True, default=""
    )
    tier = models.CharField(_("级别"), max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    state = models.CharField(
        _("状态"), max_length=16, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    subject = EncryptedTextField(_("标题"))
    description = EncryptedTextField(_("描述"), blank=True, default="")
    sentiment = models.CharField(
        _("情绪"), max_length=16, choices=Sentiment.choices, blank=True, default=""
    )

    # Who it is about: the pseudonymous key always, the master while it exists.
    customer_key = models.CharField(_("客户编号"), max_length=32, blank=True, db_index=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    platform = models.CharField(_("平台"), max_length=16, blank=True, default="")
    order_id = models.CharField(_("订单号"), max_length=64, blank=True, default="", db_index=True)
    # The chat session the complaint came from (derived chat_sessions' session id).
    chat_session_id = models.CharField(_("会话"), max_length=128, blank=True, default="")
    product_id = models.CharField(_("商品"), max_length=64, blank=True, default="")

    # Routing: a department, a team (客服组 name) and an agent; any may be empty.
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    team = models.CharField(_("客服组"), max_length=40, blank=True, default="", db_index=True)
    assignee = models.ForeignKey(
        "accounts.Agent",
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    routed_by_rule = models.ForeignKey(
        "RoutingRule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalation_reason = EncryptedTextField(_("升级原因"), blank=True, default="")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("受理时间"), db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    first_response_at = models.DateTimeField(_("首次响应"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("重开次数"), default=0)

    # The SLA clock's last reading (servicedesk.sla): due times, business seconds taken
    # (pauses while waiting on the customer excluded) and the state shown in the queues.
    first_response_due = models.DateTimeField(_("首次响应时限"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("解决时限"), null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    sla_state = models.CharField(
        _("时效"), max_length=16, choices=SlaState.choices, default=SlaState.ON_TRACK
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("工单")
        permissions = [
            ("view_all_tickets", _("Can see every queue")),
            ("assign_ticket", _("Can assign tickets to any agent")),
            ("change_routing", _("Can edit departments, routing rules and SLA targets")),
        ]
        indexes = [
            models.Index(fields=["state", "tier"]),
            models.Index(fields=["assignee", "state"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class TicketEvent(models.Model):
    """One change of a ticket: who, when, what went from what to what, and a note."""

    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        STATE = "state", _("状态")
        TIER = "tier", _("级别")
        CATEGORY = "category", _("分类")
        ASSIGN = "assign", _("分派")
        ROUTE = "route", _("路由")
        NOTE = "note", _("备注")
        REPLY = "reply", _("回复")
        MAIL = "mail", _("邮件")
        CSAT = "csat", _("满意度")
        AFTER_SALES = "after_sales", _("售后")
        EDIT = "edit", _("修改")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    from_value = models.CharField(max_length=64, blank=True, default="")
    to_value = models.CharField(max_length=64, blank=True, default="")
    note = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.from_value}→{self.to_value}"


class Attachment(models.Model):
    """A file on a ticket, encrypted at rest (a photo of a parcel label holds an address)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    name = EncryptedTextField()
    content_type = models.CharField(max_length=100, blank=True, default="")
    size = models.PositiveIntegerField()
    content = models.BinaryField()  # ciphertext
    uploaded_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"attachment {self.pk} of #{self.ticket_id}"


class RoutingRule(models.Model):
    """Where a ticket goes: the first active rule (by position) whose set fields all match."""

    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, blank=True)
    category = models.CharField(_("问题分类"), max_length=16, choices=Category.choices, blank=True)
    tier = models.CharField(_("级别"), max_length=16, choices=Tier.choices, blank=True)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, blank=True)
    platform = models.CharField(_("平台"), max_length=16, blank=True, default="")
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.CASCADE
    )
    team = models.CharField(_("客服组"), max_length=40, blank=True, default="")
    agent = models.ForeignKey(
        "accounts.Agent", verbose_name=_("客服"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("路由规则")

    def __str__(self) -> str:
        return f"rule {self.position}"


class SlaTarget(models.Model):
    """Per tier: the first-response and resolution targets in business minutes."""

    tier = models.CharField(_("级别"), max_length=16, choices=Tier.choices, unique=True)
    first_response_minutes = models.PositiveIntegerField(_("首次响应（工作分钟）"))
    resolution_minutes = models.PositiveIntegerField(_("解决（工作分钟）"))
    # A running clock past this share of its target marks the ticket 即将超时.
    at_risk_share = models.DecimalField(_("预警比例"), max_digits=3, decimal_places=2, default=0.8)

    class Meta:
        ordering = ["tier"]
        verbose_name = _("时效目标")

    def __str__(self) -> str:
        return self.tier


class AfterSalesCase(models.Model):
    class CaseKind(models.TextChoices):
        RETURN = "return", _("退货")
        EXCHANGE = "exchange", _("换货")
        REPAIR = "repair", _("维修")
        REFUND = "refund", _("仅退款")

    class Reason(models.TextChoices):
        NO_REASON = "no-reason", _("七天无理由")
        QUALITY = "quality", _("质量问题")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="after_sales")
    case_kind = models.CharField(_("售后类型"), max_length=16, choices=CaseKind.choices)
    reason = models.CharField(_("原因"), max_length=16, choices=Reason.choices)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    requested_at = models.DateTimeField(_("申请时间"))
    # Condition codes (washed, damaged, tags-removed, custom, special-size,
    # incomplete-packaging): what makes a no-reason return impossible.
    conditions = models.JSONField(_("商品状况"), default=list, blank=True)
    # The calculator's decision when it was last taken (servicedesk.returns):
    # {"eligible", "deadline", "shipping_paid_by", "reasons": [{"code", "text"}]}.
    decision = models.JSONField(default=dict, blank=True)
    refund_id = models.CharField(
        _("退款单号"), max_length=64, blank=True, default="", db_index=True
    )
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("售后单")

    def __str__(self) -> str:
        return f"after-sales of #{self.ticket_id}"


class CsatRequest(models.Model):
    """A satisfaction question after resolution: a signed single-use link, or an agent's
    entry from a call. ``rating`` is set once answered."""

    class Source(models.TextChoices):
        LINK = "link", _("链接")
        AGENT = "agent", _("客服录入")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="csat")
    source = models.CharField(max_length=8, choices=Source.choices)
    nonce = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = EncryptedTextField(blank=True, default="")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"csat {self.pk} of #{self.ticket_id}"


class MailMessage(models.Model):
    """Every mail in or out, including what could not become a ticket (with why)."""

    class Direction(models.TextChoices):
        IN = "in", _("收")
        OUT = "out", _("发")

    class Status(models.TextChoices):
        TICKET_CREATED = "created", _("已建工单")
        APPENDED = "appended", _("已追加到工单")
        BOUNCE = "bounce", _("退信")
        MALFORMED = "malformed", _("无法解析")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    direction = models.CharField(max_length=4, choices=Direction.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    message_id = models.CharField(max_length=255, blank=True, default="", db_index=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="mail"
    )
    address = EncryptedTextField(blank=True, default="")
    subject = EncryptedTextField(blank=True, default="")
    body = EncryptedTextField(blank=True, default="")
    error = models.TextField(blank=True, default="")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"mail {self.direction} {self.status}"


class SlaSettings(models.Model):
    """The shop's service hours (one row): the SLA clock of a ticket without an assignee,
    or whose assignee has no rota, runs on these (servicedesk.sla). The default,
    09:00-24:00 every day, is the usual 客服在线时间 of a Taobao shop."""

    workday_hours = models.CharField(
        _("工作日服务时间"), max_length=100, default="09:00-24:00", validators=[validate_hours]
    )
    restday_hours = models.CharField(
        _("休息日服务时间"),
        max_length=100,
        blank=True,
        default="09:00-24:00",
        validators=[validate_hours],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("服务时间")

    def __str__(self) -> str:
        return f"{self.workday_hours} / {self.restday_hours}"
