"""Segments (客户分群): saved filters over the customer master and each customer's standing.
A segment stores its filters, never its members: the members are counted live
(``segments.selectors.members``), so a segment follows every import and recompute."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Segment(models.Model):
    name = models.CharField(_("名称"), max_length=80, unique=True)
    description = models.CharField(_("说明"), max_length=300, blank=True, default="")
    # ``segments.filters.SegmentFilter.to_json()``: validated by ``parse`` on every save.
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    created_by = models.CharField(_("创建人"), max_length=150)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_by = models.CharField(_("修改人"), max_length=150)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("客户分群")
        permissions = [("export_segment", _("Can export a segment's members (always masked)"))]

    def __str__(self) -> str:
        return self.name
