from django.urls import path

from guanxi.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("new/", views.entry_new, name="new"),
    path("<int:entry_id>/edit/", views.entry_edit, name="edit"),
    path("<int:entry_id>/active/", views.entry_active, name="active"),
    path("<int:entry_id>/use/", views.entry_use, name="use"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("import/", views.import_xlsx, name="import"),
    path("synonyms/", views.synonyms, name="synonyms"),
]
