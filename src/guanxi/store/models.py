"""What the store figures need beyond the platforms' exports: the industry's DSR averages."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DsrDimension(models.TextChoices):
    DESCRIPTION = "description", _("宝贝与描述相符")
    SERVICE = "service", _("卖家的服务态度")
    LOGISTICS = "logistics", _("物流服务")


class IndustryAverage(models.Model):
    """The industry's DSR average for a month and dimension (entered or imported)."""

    month = models.DateField(_("月份"))  # the first day of the month
    dimension = models.CharField(_("维度"), max_length=16, choices=DsrDimension.choices)
    value = models.DecimalField(_("行业均值"), max_digits=5, decimal_places=3)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month", "dimension"]
        verbose_name = _("行业均值")
        constraints = [
            models.UniqueConstraint(fields=["month", "dimension"], name="unique_industry_month"),
            models.CheckConstraint(
                condition=models.Q(value__gte=1) & models.Q(value__lte=5), name="industry_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension} {self.value}"
