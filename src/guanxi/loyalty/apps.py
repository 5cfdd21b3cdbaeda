from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LoyaltyConfig(AppConfig):
    name = "guanxi.loyalty"
    verbose_name = _("会员与积分")
    default_auto_field = "django.db.models.BigAutoField"
