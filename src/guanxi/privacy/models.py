"""PIPL requests (access, correction, erasure) with their due dates, the history of
corrections, and the consent register that marketing must respect.

A request points at its customer until the customer is erased; then the link is emptied
(SET_NULL) and the request says only that an erasure was done, by whom and when.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.fields import EncryptedTextField
from guanxi.customers.models import Customer


class RequestKind(models.TextChoices):
    ACCESS = "access", _("查阅复制")  # PIPL Art. 45
    CORRECTION = "correction", _("更正")  # Art. 46
    ERASURE = "erasure", _("删除")  # Art. 47


class RequestStatus(models.TextChoices):
    OPEN = "open", _("处理中")
    DONE = "done", _("已完成")


class PrivacyRequest(models.Model):
    kind = models.CharField(_("类型"), max_length=12, choices=RequestKind.choices)
    status = models.CharField(
        _("状态"), max_length=8, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_on = models.DateField(_("收到日期"))
    due_on = models.DateField(_("答复期限"))
    opened_by = models.CharField(_("登记人"), max_length=150)
    handled_by = models.CharField(_("处理人"), max_length=150, blank=True, default="")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # What was done, in words that hold no personal data ("unlinked 42 lake rows").
    outcome = models.CharField(_("结果"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("个人信息权利请求")
        permissions = [("handle_privacyrequest", _("Can handle PIPL requests"))]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.status}"


class FieldCorrection(models.Model):
    """One corrected field (Art. 46): the value before and after, encrypted like the master.
    Deleted with the customer when the customer is erased."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    request = models.ForeignKey(
        PrivacyRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(_("字段"), max_length=20)
    old_value = EncryptedTextField(_("原值"), blank=True, default="")
    new_value = EncryptedTextField(_("新值"), blank=True, default="")
    corrected_at = models.DateTimeField(_("更正时间"), auto_now_add=True)
    corrected_by = models.CharField(_("操作人"), max_length=150)

    class Meta:
        ordering = ["-corrected_at", "-id"]

    def __str__(self) -> str:
        return f"{self.customer_id}.{self.field}"


class ConsentPurpose(models.TextChoices):
    MARKETING = "marketing", _("营销")


class Consent(models.Model):
    """One entry of the consent register: a customer granted or withdrew consent for a
    purpose, from a source, at a time. The newest entry per customer and purpose holds."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(_("用途"), max_length=20, choices=ConsentPurpose.choices)
    granted = models.BooleanField(_("同意"))
    source = models.CharField(_("来源"), max_length=60)
    at = models.DateTimeField(_("时间"))
    recorded_by = models.CharField(_("登记人"), max_length=150)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "purpose", "-at"], name="consent_latest")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.purpose} {self.granted}"
