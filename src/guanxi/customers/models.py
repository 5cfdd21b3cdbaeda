"""The customer master: the only place personal information lives, encrypted at rest.

Personal fields are ``EncryptedTextField``s; look-ups go through blind-index columns
(keyed HMACs of the normalised value, 16 bytes), so the database never holds a phone in plain
text. An empty value has the empty key ``b""``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.fields import EncryptedTextField


class CustomerClass(models.TextChoices):
    ORDINARY = "ordinary", _("普通客户")
    POTENTIAL = "potential", _("潜在客户")
    CORE = "core", _("核心客户")
    VIP = "vip", _("VIP客户")


class Gender(models.TextChoices):
    UNKNOWN = "", _("未知")
    FEMALE = "female", _("女")
    MALE = "male", _("男")


# The personal fields of a customer that a merge fills from the duplicate and a PIPL
# correction may change (the master's own keys and classes are not among them).
PERSONAL_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "mobile",
    "email",
    "address",
    "province",
    "city",
    "notes",
)


class Tag(models.Model):
    name = models.CharField(_("标签"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    customer_key = models.CharField(
        _("客户编号"),
        max_length=32,
        unique=True,
        help_text=_("Surrogate key shared with the fact lake; identifies nobody by itself."),
    )
    name = EncryptedTextField(_("姓名"), blank=True, default="")
    name_index = models.BinaryField(max_length=16, blank=True, default=b"", db_index=True)
    gender = models.CharField(
        _("性别"), max_length=8, choices=Gender.choices, blank=True, default=Gender.UNKNOWN
    )
    birth_date = EncryptedTextField(_("出生日期"), blank=True, default="")
    mobile = EncryptedTextField(_("手机"), blank=True, default="")
    mobile_index = models.BinaryField(max_length=16, blank=True, default=b"", db_index=True)
    mobile_tail_index = models.BinaryField(max_length=16, blank=True, default=b"", db_index=True)
    email = EncryptedTextField(_("邮箱"), blank=True, default="")
    email_index = models.BinaryField(max_length=16, blank=True, default=b"", db_index=True)
    address = EncryptedTextField(_("地址"), blank=True, default="")
    # Province and city stay plain: coarse enough for regional analysis, needed in SQL.
    province = models.CharField(_("省份"), max_length=20, blank=True, default="")
    city = models.CharField(_("城市"), max_length=30, blank=True, default="")
    notes = EncryptedTextField(_("备注"), blank=True, default="")
    customer_class = models.CharField(
        _("客户类别"),
        max_length=12,
        choices=CustomerClass.choices,
        default=CustomerClass.ORDINARY,
        db_index=True,
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers", verbose_name=_("标签"))
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when this record was merged into another (a duplicate); kept so the merge can be
    # undone. Lists and searches show only records that are not merged.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )

    class Meta:
        ordering = ["customer_key"]
        verbose_name = _("客户")
        permissions = [
            ("reveal_personal", _("Can reveal unmasked personal information")),
            ("export_customers", _("Can export the customer list")),
        ]

    def __str__(self) -> str:
        return self.customer_key


class PlatformIdentity(models.Model):
    """A buyer account on a platform (taobao + nickname) → the customer behind it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    platform = models.CharField(_("平台"), max_length=16)
    buyer_id = EncryptedTextField(_("买家账号"))
    buyer_id_index = models.BinaryField(max_length=16)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "buyer_id_index"], name="unique_platform_buyer"
            )
        ]

    def __str__(self) -> str:
        # Platform and customer key only: the buyer id is personal data and must not leak
        # into logs, admin titles or error pages through str().
        return f"{self.platform}:{self.customer_id}"


class CustomerMerge(models.Model):
    """One merge of a duplicate customer into another, with what is needed to undo it."""

    survivor = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    merged = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=40)  # same_mobile | same_email | manual
    automatic = models.BooleanField(_("自动"), default=False)
    merged_at = models.DateTimeField(_("合并时间"), auto_now_add=True)
    merged_by = models.CharField(_("操作人"), max_length=150, blank=True, default="")
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    # What moved, to move exactly it back: identity ids, filled field names, tag ids, and
    # per lake table the natural keys of the facts re-keyed to the survivor.
    moved_identities = models.JSONField(default=list)
    filled_fields = models.JSONField(default=list)
    added_tags = models.JSONField(default=list)
    lake_rows = models.JSONField(default=dict)

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("客户合并")

    def __str__(self) -> str:
        return f"{self.merged.customer_key} → {self.survivor.customer_key} ({self.reason})"


class MergeDismissal(models.Model):
    """A proposed pair a person judged to be two different customers: not proposed again."""

    first = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.CharField(max_length=150, blank=True, default="")
    dismissed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="unique_dismissal")]

    def __str__(self) -> str:
        return f"{self.first_id} ≠ {self.second_id}"


class CustomerStanding(models.Model):
    """A customer's computed figures at the last recompute (``customers.standing``): facts,
    the rule's class and why, RFM, loyalty and the latest member score. Numbers and codes
    only, no personal data; one row per customer with any history, replaced as a whole."""

    customer = models.OneToOneField(
        Customer, primary_key=True, on_delete=models.CASCADE, related_name="standing"
    )
    as_of = models.DateField(_("统计截至"))
    computed_at = models.DateTimeField(_("计算时间"))
    # facts (metrics.customers.customer_facts)
    orders = models.PositiveIntegerField(_("订单数"), default=0)
    paid_orders = models.PositiveIntegerField(_("付款订单数"), default=0)
    paid_amount = models.DecimalField(_("累计消费"), max_digits=14, decimal_places=2, default=0)
    paid_items = models.PositiveIntegerField(_("购买件数"), default=0)
    trailing_orders = models.PositiveIntegerField(_("近12个月订单数"), default=0)
    trailing_paid_orders = models.PositiveIntegerField(_("近12个月付款订单数"), default=0)
    trailing_paid_amount = models.DecimalField(
        _("近12个月消费"), max_digits=14, decimal_places=2, default=0, db_index=True
    )
    first_order_at = models.DateTimeField(_("首次下单"), null=True, blank=True)
    last_order_at = models.DateTimeField(_("最近下单"), null=True, blank=True)
    last_paid_at = models.DateTimeField(_("最近付款"), null=True, blank=True, db_index=True)
    mean_days_between = models.FloatField(_("平均购买间隔（天）"), null=True, blank=True)
    categories = models.JSONField(_("购买类目"), default=list, blank=True)
    refunds = models.PositiveIntegerField(_("退款次数"), default=0)
    refund_amount = models.DecimalField(_("退款金额"), max_digits=14, decimal_places=2, default=0)
    returns = models.PositiveIntegerField(_("退货次数"), default=0)
    sessions = models.PositiveIntegerField(_("咨询次数"), default=0)
    trailing_sessions = models.PositiveIntegerField(_("近12个月咨询"), default=0)
    last_chat_at = models.DateTimeField(_("最近咨询"), null=True, blank=True)
    reviews = models.PositiveIntegerField(_("评价数"), default=0)
    mean_rating = models.FloatField(_("平均评分"), null=True, blank=True)
    # the class the rules give (Customer.customer_class is this or a manager's pin)
    rule_class = models.CharField(
        _("规则类别"), max_length=12, choices=CustomerClass.choices, default=CustomerClass.ORDINARY
    )
    class_rule = models.CharField(max_length=40, blank=True, default="")
    class_figure = models.DecimalField(max_digits=16, decimal_places=3, null=True, blank=True)
    class_threshold = models.DecimalField(max_digits=16, decimal_places=3, null=True, blank=True)
    # RFM (empty: never paid by the as-of date)
    recency_days = models.IntegerField(_("R 距最近购买天数"), null=True, blank=True)
    frequency = models.PositiveIntegerField(_("F 购买次数"), default=0)
    monetary = models.DecimalField(_("M 消费金额"), max_digits=14, decimal_places=2, default=0)
    r_score = models.PositiveSmallIntegerField(null=True, blank=True)
    f_score = models.PositiveSmallIntegerField(null=True, blank=True)
    m_score = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_group = models.CharField(_("RFM分组"), max_length=24, blank=True, default="", db_index=True)
    # loyalty: high / medium / low ("" = not enough to say), each component as data
    loyalty = models.CharField(_("忠诚度"), max_length=8, blank=True, default="", db_index=True)
    loyalty_components = models.JSONField(default=dict, blank=True)
    # the age band at ``as_of`` from the encrypted birth date, decrypted once per recompute
    # (not per page view), never the date itself: e.g. "25-29", "" = no birth date
    age_band = models.CharField(_("年龄段"), max_length=8, blank=True, default="", db_index=True)
    # the latest monthly member score (history in loyalty.MemberScore)
    member_score = models.IntegerField(_("会员成长值"), null=True, blank=True)
    member_tier = models.CharField(_("会员等级"), max_length=16, blank=True, default="")

    class Meta:
        verbose_name = _("客户画像数据")

    def __str__(self) -> str:
        return f"{self.customer_id} @ {self.as_of}"


class ClassPin(models.Model):
    """A manager fixed a customer's class by hand: the rules never overwrite it while it
    stands. Removing a pin keeps the row (``removed_at``), so who pinned what stays known."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="class_pins")
    customer_class = models.CharField(_("客户类别"), max_length=12, choices=CustomerClass.choices)
    reason = models.CharField(_("原因"), max_length=200)
    pinned_by = models.CharField(_("操作人"), max_length=150)
    pinned_at = models.DateTimeField(_("设定时间"), auto_now_add=True)
    removed_by = models.CharField(max_length=150, blank=True, default="")
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pinned_at", "-id"]
        verbose_name = _("手动客户类别")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(removed_at__isnull=True),
                name="one_standing_pin",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.customer_class}"


class CustomerRuleSet(models.Model):
    """The shop's customer rules (one row, ``pk = 1``): each family as the JSON of its rules
    dataclass (``metrics.rules.ClassRules``, ``RfmRules``, ``LoyaltyRules``); empty = the
    SPEC defaults. Validated by the dataclass on every save and read."""

    class_rules = models.JSONField(default=dict, blank=True)
    rfm_rules = models.JSONField(default=dict, blank=True)
    loyalty_rules = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.CharField(max_length=150, blank=True, default="")

    class Meta:
        verbose_name = _("客户规则")

    def __str__(self) -> str:
        return "customer rules"


class CustomerChange(models.Model):
    """One edit of a master field on the profile: who, when, and the old and new values
    *masked* (the clear values live only in the encrypted master)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("字段"), max_length=30)
    old_masked = models.CharField(_("原值"), max_length=200, blank=True, default="")
    new_masked = models.CharField(_("新值"), max_length=200, blank=True, default="")
    changed_by = models.CharField(_("操作人"), max_length=150)
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("客户资料变更")

    def __str__(self) -> str:
        return f"{self.customer_id}.{self.field}"
