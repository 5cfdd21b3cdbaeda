from django.urls import path

from guanxi.segments import views

app_name = "segments"
urlpatterns = [
    path("", views.segment_list, name="list"),
    path("new/", views.segment_new, name="new"),
    path("count/", views.segment_count, name="count"),
    path("<int:segment_id>/", views.segment_members, name="members"),
    path("<int:segment_id>/edit/", views.segment_edit, name="edit"),
    path("<int:segment_id>/delete/", views.segment_delete, name="delete"),
    path("<int:segment_id>/export.csv", views.segment_export_csv, name="export_csv"),
    path("<int:segment_id>/export.xlsx", views.segment_export_xlsx, name="export_xlsx"),
]
