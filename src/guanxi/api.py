"""The REST API (django-ninja) under ``/api/``, one router per area (``/api/store/``,
``/api/performance/``, ``/api/reports/``, ``/api/segments/``, ``/api/customers/``); its schema is at
``/api/openapi.json``.

Session authentication, the same permissions as the pages; the schema too is for signed-in
users only (it maps every endpoint). The interactive docs page is off: it would load
Swagger UI from a CDN, and Guanxi serves nothing from third parties.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.security import django_auth

from guanxi.customers.api_profile import router as customers
from guanxi.customers.api_rfm import router as customers_rfm
from guanxi.insight.api import router as insight
from guanxi.knowledge.api import router as knowledge
from guanxi.performance.api import router as performance
from guanxi.reports.api import router as reports
from guanxi.satisfaction.api_results import router as satisfaction_results
from guanxi.satisfaction.api_reviews import router as satisfaction_reviews
from guanxi.segments.api import router as segments
from guanxi.servicedesk.api import router as servicedesk
from guanxi.servicedesk.api_reports import router as servicedesk_reports
from guanxi.store.api import router as store


def signed_in_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema's guard: 401 as every endpoint answers an anonymous request."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return JsonResponse({"detail": "Unauthorized"}, status=401)
        return view(request, *args, **kwargs)

    return guarded


api = NinjaAPI(
    title="Guanxi API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_url=None,
    docs_decorator=signed_in_only,
)
# The RFM router first: its fixed paths (/customers/rfm) before the profile's /{customer_key}.
api.add_router("/customers/", customers_rfm)
api.add_router("/customers/", customers)
api.add_router("/performance/", performance)
api.add_router("/reports/", reports)
api.add_router("/segments/", segments)
# The reports first: their fixed paths before the tickets' /{id}.
api.add_router("/servicedesk/reports", servicedesk_reports)
api.add_router("/servicedesk/", servicedesk)
api.add_router("/knowledge/", knowledge)
api.add_router("/insight/", insight)
api.add_router("/satisfaction/", satisfaction_results)
api.add_router("/satisfaction/reviews/", satisfaction_reviews)
api.add_router("/store/", store)
