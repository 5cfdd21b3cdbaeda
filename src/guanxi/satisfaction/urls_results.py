"""The results pages under /satisfaction/results/: the overview of every survey, one survey's
results and exports, and the SERVQUAL page (a chooser when there are several)."""

from django.urls import path

from guanxi.satisfaction import servqual_views, views_results

urlpatterns = [
    path("", views_results.overview, name="results"),
    path("<int:survey_id>/", views_results.survey_results, name="survey_results"),
    path(
        "<int:survey_id>/export.xlsx",
        views_results.results_export,
        {"fmt": "xlsx"},
        name="results_xlsx",
    ),
    path(
        "<int:survey_id>/export.csv",
        views_results.results_export,
        {"fmt": "csv"},
        name="results_csv",
    ),
    path(
        "<int:survey_id>/texts.xlsx", views_results.texts_export, {"fmt": "xlsx"}, name="texts_xlsx"
    ),
    path("<int:survey_id>/texts.csv", views_results.texts_export, {"fmt": "csv"}, name="texts_csv"),
    path("servqual/", servqual_views.chooser, name="servqual"),
    path("servqual/<int:survey_id>/", servqual_views.servqual_page, name="servqual_survey"),
    path(
        "servqual/<int:survey_id>/export.xlsx",
        servqual_views.servqual_export,
        name="servqual_xlsx",
    ),
]
