from django.urls import path

from guanxi.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("history/", views.history, name="history"),
    path("<int:pk>/", views.status, name="status"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/progress.json", views.progress, name="progress"),
    path("<int:pk>/rollback/", views.rollback, name="rollback"),
    path("<int:pk>/skip-bad/", views.skip_bad, name="skip_bad"),
    path("<int:pk>/<str:name>", views.download, name="download"),
]
