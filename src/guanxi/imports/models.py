"""The import journal: every import run, what it wrote, and how to undo it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    UPLOADED = "uploaded", _("待确认")
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    WRITING = "writing", _("写入中")
    WRITTEN = "written", _("已写入")
    REJECTED = "rejected", _("已拒绝")
    FAILED = "failed", _("失败")
    INTERRUPTED = "interrupted", _("已中断并复原")
    ROLLED_BACK = "rolled_back", _("已撤销")


class ImportRun(models.Model):
    kind = models.CharField(_("类型"), max_length=20)
    platform = models.CharField(_("平台"), max_length=16)
    file_name = models.CharField(_("文件"), max_length=255)
    # Generated name under GUANXI_IMPORT_DIR; never a path a web user chose.
    stored_name = models.CharField(max_length=64, blank=True, default="")
    mapping_name = models.CharField(_("映射"), max_length=120, blank=True, default="")
    encoding = models.CharField(_("编码"), max_length=20, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    username = models.CharField(_("操作人"), max_length=150, blank=True, default="")
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    skip_bad = models.BooleanField(_("跳过错误行"), default=False)
    progress = models.FloatField(default=0.0)  # 0..1 for the progress bar
    table = models.CharField(max_length=40, blank=True, default="")
    version_before = models.IntegerField(null=True, blank=True)  # -1: the table did not exist
    version_after = models.IntegerField(null=True, blank=True)
    version_restored = models.IntegerField(null=True, blank=True)  # made by undoing the run
    rows_read = models.PositiveIntegerField(_("读取行数"), default=0)
    added = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变"), default=0)
    rejected = models.PositiveIntegerField(_("拒绝"), default=0)
    customers_created = models.PositiveIntegerField(_("新建客户"), default=0)
    dropped_columns = models.CharField(_("丢弃的列"), max_length=500, blank=True, default="")
    error = models.TextField(_("错误"), blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("导入记录")
        permissions = [("run_import", _("Can import files and roll imports back"))]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"


class SavedMapping(models.Model):
    """A user's own column mapping (TOML text), offered beside the presets."""

    name = models.CharField(_("名称"), max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=20)
    toml = models.TextField()
    created_by = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("导入映射")

    def __str__(self) -> str:
        return self.name
