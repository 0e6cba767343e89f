from django.urls import path

from kvalis.surveys import views

app_name = "surveys"

P = "projects/<slug:code>/surveys/"
T = P + "templates/<int:template_pk>/"

urlpatterns = [
    path(P, views.survey_index, name="index"),
    path(P + "new/", views.survey_create, name="survey_create"),
    path(P + "<int:survey_pk>/", views.survey_detail, name="survey_detail"),
    path(P + "<int:survey_pk>/open/", views.survey_open, name="survey_open"),
    path(P + "<int:survey_pk>/close/", views.survey_close, name="survey_close"),
    path(P + "<int:survey_pk>/remind/", views.survey_remind, name="survey_remind"),
    path(P + "templates/", views.template_list, name="template_list"),
    path(T, views.template_detail, name="template_detail"),
    path(T + "copy/", views.template_copy, name="template_copy"),
    path(T + "questions/add/", views.question_add, name="question_add"),
    path(T + "questions/<int:question_pk>/move/", views.question_move, name="question_move"),
    path(
        T + "questions/<int:question_pk>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path(
        P + "activities/<int:activity_pk>/results/",
        views.activity_results,
        name="activity_results",
    ),
    path(
        P + "activities/<int:activity_pk>/results.xlsx",
        views.activity_results_xlsx,
        name="activity_results_xlsx",
    ),
    path(P + "cohorts/<int:cohort_pk>/results/", views.cohort_results, name="cohort_results"),
    path(
        P + "cohorts/<int:cohort_pk>/results.xlsx",
        views.cohort_results_xlsx,
        name="cohort_results_xlsx",
    ),
    path("my/surveys/", views.my_surveys, name="my_surveys"),
    path("my/surveys/<uuid:survey_public_id>/", views.answer, name="answer"),
]
