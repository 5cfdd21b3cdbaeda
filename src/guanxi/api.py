"""The REST API (django-ninja) under ``/api/``, one router per area (``/api/store/``,
``/api/performance/``, ``/api/reports/``); its schema is at ``/api/openapi.json``.

Session authentication, the same permissions as the pages. The interactive docs page is
off: it would load Swagger UI from a CDN, and Guanxi serves nothing from third parties.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.security import django_auth

from guanxi.performance.api import router as performance
from guanxi.reports.api import router as reports
from guanxi.store.api import router as store

api = NinjaAPI(
    title="Guanxi API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url=None,
)
api.add_router("/performance/", performance)
api.add_router("/reports/", reports)
api.add_router("/store/", store)
