"""Shared models: the append-only audit log every area writes to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("查看明文")
    EXPORT = "export", _("导出")


class AuditEntry(models.Model):
    """Append-only record of access to personal data: who, when, what, whose — no values.

    Database triggers (migration 0001) refuse UPDATE and DELETE on this table. The table
    began in ``customers`` (customers 0001/0002) and moved here, rows and triggers kept,
    because every area records who saw or changed what.
    """

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=16, choices=AuditAction.choices)
    fields = models.CharField(_("字段"), max_length=200)
    # Whose data: a customer_key, or a description of the exported set (never values).
    subject = models.CharField(_("对象"), max_length=200)
    row_count = models.PositiveIntegerField(_("条数"), default=1)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("审计记录")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.subject}"
