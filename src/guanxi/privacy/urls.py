from django.urls import path

from guanxi.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/export.<str:file_format>", views.request_download, name="download"),
    path("<int:pk>/correct/", views.request_correct, name="correct"),
    path("<int:pk>/consent/", views.request_consent, name="consent"),
    path("<int:pk>/erase/", views.request_erase, name="erase"),
    path("<int:pk>/done/", views.request_done, name="done"),
]
