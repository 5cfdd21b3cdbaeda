from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "guanxi.satisfaction"
    verbose_name = _("满意度")
