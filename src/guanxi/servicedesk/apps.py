from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicedeskConfig(AppConfig):
    name = "guanxi.servicedesk"
    verbose_name = _("客服工作台")
