from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "guanxi.privacy"
    verbose_name = _("个人信息权利")
    default_auto_field = "django.db.models.BigAutoField"
