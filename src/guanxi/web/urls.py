from django.urls import path
from django.views.generic import RedirectView

from guanxi.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    # The overview moved to the store area; old bookmarks still arrive.
    path("dashboard/", RedirectView.as_view(url="/store/", query_string=True, permanent=True)),
]
