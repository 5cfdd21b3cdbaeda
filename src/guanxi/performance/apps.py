from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "guanxi.performance"
    verbose_name = _("客服绩效")
    default_auto_field = "django.db.models.BigAutoField"
