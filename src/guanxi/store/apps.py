from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoreConfig(AppConfig):
    name = "guanxi.store"
    verbose_name = _("店铺")
