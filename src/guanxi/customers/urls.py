from django.urls import path

from guanxi.customers import views

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("audit/", views.audit_log, name="audit"),
]
