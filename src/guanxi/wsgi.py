"""The web server's entry point; before serving it finishes what a killed import left."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
application = get_wsgi_application()

from guanxi.imports.recovery import recover_at_start  # noqa: E402 (needs Django set up)

recover_at_start()
