"""Shared models: the append-only audit log every area writes to."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditAction(models.TextChoices):
    REVEAL = "reveal", _("查看明文")
    EXPORT = "export", _("导出")
    # Changes to logins (accounts.services): whose account, what changed — never a password.
    USER_ADD = "user_add", pgettext_lazy("audit action", "新增账号")
    ROLE_CHANGE = "role_change", pgettext_lazy("audit action", "更改角色")
    USER_DEACTIVATE = "user_deactivate", pgettext_lazy("audit action", "停用账号")
    USER_REACTIVATE = "user_reactivate", pgettext_lazy("audit action", "启用账号")
    PASSWORD_RESET = "password_reset", pgettext_lazy("audit action", "重置密码")
    USER_DELETE = "user_delete", pgettext_lazy("audit action", "删除账号")
    PERMISSION_CHANGE = "perm_change", pgettext_lazy("audit action", "更改权限")
    # Reads that show or carry data: a customer search (its kind, never the searched value),
    # a downloaded report or file, and the sign-ins (failed ones too) themselves.
    SEARCH = "search", pgettext_lazy("audit action", "搜索")
    DOWNLOAD = "download", pgettext_lazy("audit action", "下载")
    LOGIN = "login", pgettext_lazy("audit action", "登录")
    LOGIN_FAILED = "login_failed", pgettext_lazy("audit action", "登录失败")


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
