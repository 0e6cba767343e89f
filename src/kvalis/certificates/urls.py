from django.urls import path

from kvalis.certificates import views

app_name = "certificates"

P = "projects/<slug:code>/certificates/"

urlpatterns = [
    # public
    path("verify/", views.verify_form, name="verify_form"),
    path("verify/<str:verification_code>/", views.verify, name="verify"),
    # the participant's own
    path("my/certificates/", views.my_certificates, name="my_certificates"),
    path(
        "my/certificates/<int:certificate_pk>/pdf/",
        views.my_certificate_pdf,
        name="my_certificate_pdf",
    ),
    path("my/cpd/", views.my_cpd, name="my_cpd"),
    path("my/cpd/pdf/", views.my_cpd_pdf, name="my_cpd_pdf"),
    # back office
    path(P, views.overview, name="overview"),
    path(P + "register/", views.register, name="register"),
    path(P + "register/export/", views.register_export, name="register_export"),
    path(P + "issuers/", views.issuers, name="issuers"),
    path(P + "issuers/<int:issuer_pk>/", views.issuer_edit, name="issuer_edit"),
    path(P + "activities/<int:activity_pk>/", views.activity_settings, name="activity_settings"),
    path(P + "cohorts/<int:cohort_pk>/", views.cohort, name="cohort"),
    path(P + "cohorts/<int:cohort_pk>/issue/", views.cohort_issue, name="cohort_issue"),
    path(
        P + "cohorts/<int:cohort_pk>/issue-all/", views.cohort_issue_bulk, name="cohort_issue_bulk"
    ),
    path(P + "batches/<int:batch_pk>/", views.batch, name="batch"),
    path(P + "batches/<int:batch_pk>/retry/", views.batch_retry, name="batch_retry"),
    path(P + "<int:certificate_pk>/", views.detail, name="detail"),
    path(P + "<int:certificate_pk>/pdf/", views.pdf, name="pdf"),
    path(P + "<int:certificate_pk>/revoke/", views.revoke, name="revoke"),
    path(P + "<int:certificate_pk>/reissue/", views.reissue, name="reissue"),
    path(P + "<int:certificate_pk>/mail/", views.mail, name="mail"),
    path("projects/<slug:code>/people/<int:person_pk>/cpd/", views.person_cpd, name="person_cpd"),
    path(
        "projects/<slug:code>/people/<int:person_pk>/cpd/pdf/",
        views.person_cpd_pdf,
        name="person_cpd_pdf",
    ),
]
