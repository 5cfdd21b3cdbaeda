from django.urls import path

from guanxi.reports import views

app_name = "reports"
urlpatterns = [
    path("monthly/", views.monthly_page, name="monthly"),
    path("monthly/report.pdf", views.monthly_pdf, name="monthly_pdf"),
]
