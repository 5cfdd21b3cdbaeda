from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "guanxi.insight"
    verbose_name = _("客户洞察")
