from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "guanxi.reports"
    verbose_name = _("月度报告")
    default_auto_field = "django.db.models.BigAutoField"
