from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("guanxi.accounts.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("imports/", include("guanxi.imports.urls")),
    path("", include("guanxi.web.urls")),
]
