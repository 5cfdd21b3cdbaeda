"""The survey builder and distribution pages."""

from django.urls import path

from guanxi.satisfaction import views_surveys as v

urlpatterns = [
    path("", v.survey_list, name="surveys"),
    path("new/", v.survey_new, name="survey_new"),
    path("<int:survey_id>/", v.survey_detail, name="survey"),
    path("<int:survey_id>/edit/", v.survey_edit, name="survey_edit"),
    path("<int:survey_id>/open/", v.survey_open, name="survey_open"),
    path("<int:survey_id>/close/", v.survey_close, name="survey_close"),
    path("<int:survey_id>/delete/", v.survey_delete, name="survey_delete"),
    path("<int:survey_id>/questions/", v.question_add, name="question_add"),
    path("<int:survey_id>/questions/<int:question_id>/", v.question_edit, name="question_edit"),
    path(
        "<int:survey_id>/questions/<int:question_id>/delete/",
        v.question_delete,
        name="question_delete",
    ),
    path(
        "<int:survey_id>/questions/<int:question_id>/move/", v.question_move, name="question_move"
    ),
    path("<int:survey_id>/send/segment/", v.send_segment, name="send_segment"),
    path("<int:survey_id>/send/customer/", v.send_customer, name="send_customer"),
    path("<int:survey_id>/links/", v.links_export, name="links_export"),
    path("<int:survey_id>/phone/", v.phone_entry, name="phone_entry"),
]
