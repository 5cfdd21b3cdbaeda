from django.urls import include, path

from guanxi.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("accounts/", include("guanxi.accounts.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("imports/", include("guanxi.imports.urls")),
    path("loyalty/", include("guanxi.loyalty.urls")),
    path("privacy/", include("guanxi.privacy.urls")),
    path("performance/", include("guanxi.performance.urls")),
    path("reports/", include("guanxi.reports.urls")),
    path("segments/", include("guanxi.segments.urls")),
    path("servicedesk/", include("guanxi.servicedesk.urls")),
    path("knowledge/", include("guanxi.knowledge.urls")),
    path("satisfaction/", include("guanxi.satisfaction.urls")),
    path("insight/", include("guanxi.insight.urls")),
    path("store/", include("guanxi.store.urls")),
    path("", include("guanxi.web.urls")),
]
