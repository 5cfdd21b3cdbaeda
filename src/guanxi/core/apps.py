from django.apps import AppConfig
from django.conf import settings


class CoreConfig(AppConfig):
    name = "guanxi.core"
    label = "guanxi_core"
    verbose_name = "Guanxi core"

    def ready(self) -> None:
        # Point the Django-free layers at this installation's lake and key file.
        from guanxi import lake
        from guanxi.core import crypto

        lake.configure(
            settings.GUANXI_LAKE,
            engine=settings.GUANXI_ENGINE,
            limits=lake.QueryLimits(
                memory=settings.GUANXI_QUERY_MEMORY,
                spill_dir=str(settings.GUANXI_SPILL_DIR),
                slots=settings.GUANXI_QUERY_SLOTS,
                build_memory=settings.GUANXI_BUILD_MEMORY,
            ),
        )
        crypto.configure(settings.GUANXI_KEY_FILE)
