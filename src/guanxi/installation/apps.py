from django.apps import AppConfig


class InstallationConfig(AppConfig):
    """Setting up an installation: roles, the demo shop and the demo users (``guanxi setup``,
    ``guanxi demo``)."""

    name = "guanxi.installation"
