from django.urls import path

from guanxi.performance import views

app_name = "performance"
urlpatterns = [path("agents/", views.agents_page, name="agents")]
