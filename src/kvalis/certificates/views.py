from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST

from kvalis import time_rules
from kvalis.access import Perm, get_project_access
from kvalis.certificates import services
from kvalis.certificates.forms import (
    ActivitySettingsForm,
    CredentialForm,
    IssuerForm,
    ReasonForm,
    RegisterFilterForm,
    RevokeForm,
    VerifyForm,
)
from kvalis.certificates.models import (
    STALE_AFTER,
    ActivityCertificateSettings,
    Certificate,
    CertificateBatch,
    CertificateIssuer,
    CertificateStatus,
)
from kvalis.certificates.selectors import (
    batch_mail_counts,
    cohort_rows,
    cpd_record,
    other_valid_certificate,
    project_certificates,
    require_register,
)
from kvalis.credentials.pages import credential_claims
from kvalis.credentials.pages import links as credential_links
from kvalis.credentials.services import verify_credential
from kvalis.enrolment.models import EnrolmentStatus
from kvalis.lib import public_cache, throttle
from kvalis.lib.collation import lt_order
from kvalis.lib.exports import csv_response, download_name, pdf_response, xlsx_response
from kvalis.lib.pdf import render_pdf
from kvalis.lib.time_override import TimeRuleOverrideForm
from kvalis.organisations.models import Organisation

STALE_MINUTES = int(STALE_AFTER.total_seconds() // 60)


def _language(request: HttpRequest, *, default: str = "lt") -> str:
    """The PDF's language: `?lang=en` or `?lang=lt`, else `default` (Lithuanian in the back
    office; the participant's own language for their own papers)."""
    chosen = request.GET.get("lang")
    return chosen if chosen in ("en", "lt") else default


def _own_language(request: HttpRequest) -> str:
    return _language(request, default=request.user.language or "lt")


def _certificate_pdf(certificate, language: str) -> HttpResponse:
    content = services.certificate_pdf_bytes(certificate, language=language)
    return pdf_response(content, services.certificate_pdf_name(certificate, language=language))


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                form.add_error(field if field in form.fields else None, item)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- public verification ------------------------------------------------------------------------


# Verifying a pasted or uploaded credential: per client address, so many a quarter of an hour.
CREDENTIAL_LIMIT = 30
CREDENTIAL_WINDOW = 15 * 60


@require_http_methods(["GET", "POST"])
def verify_form(request: HttpRequest) -> HttpResponse:
    """By code (GET, to the certificate's page), or a digital credential (POST: pasted or a
    file), verified here and now; nothing is stored."""
    form = VerifyForm(request.GET or None)
    if form.is_valid():
        code = services.normalise_code(form.cleaned_data["code"])
        if code:
            return redirect("certificates:verify", verification_code=code)
        form.add_error("code", _("Type the code printed on the certificate."))
    context = {"form": form, "credential_form": CredentialForm(), "verification": None}
    status = 200
    if request.method == "POST":
        status = _verify_credential(request, context)
    return render(request, "certificates/verify_form.html", context, status=status)


def _verify_credential(request: HttpRequest, context: dict) -> int:
    who = throttle.client_ip(request)
    if throttle.is_blocked("verify-credential", who, limit=CREDENTIAL_LIMIT):
        messages.error(request, throttle.TOO_MANY)
        return 429
    throttle.record("verify-credential", who, window=CREDENTIAL_WINDOW)
    form = CredentialForm(request.POST, request.FILES)
    context["credential_form"] = form
    if not form.is_valid():
        return 400
    verification = verify_credential(form.cleaned_data["data"])
    certificate = verification.certificate
    context.update(
        verification=verification,
        claims=credential_claims(verification.credential),
        replacement=certificate and getattr(certificate, "replaced_by", None),
    )
    return 200


# Kept by its normalised code: "abcd-1234" and "ABCD1234" are one page.
@public_cache.cached_page(
    public_cache.CERTIFICATES,
    key=lambda verification_code: services.normalise_code(verification_code),
)
def verify(request: HttpRequest, verification_code: str) -> HttpResponse:
    code = services.normalise_code(verification_code)
    certificate = (
        Certificate.objects.select_related("replaced_by").filter(verification_code=code).first()
    )
    if certificate is None:
        return render(
            request,
            "certificates/verify.html",
            {"certificate": None, "code": code, "form": VerifyForm()},
            status=404,
        )
    replacement = getattr(certificate, "replaced_by", None)
    return render(
        request,
        "certificates/verify.html",
        {
            "certificate": certificate,
            "d": certificate.data,
            "replacement": replacement,
            # The credential by code, as this page shows the certificate (kvalis.credentials.pages).
            "credential_links": credential_links(certificate, place="public")
            if certificate.status == CertificateStatus.VALID
            else None,
        },
    )


# --- the participant's own ------------------------------------------------------------------------


def _my_person(request: HttpRequest):
    return getattr(request.user, "person", None) if request.user.is_authenticated else None


@login_required
def my_certificates(request: HttpRequest) -> HttpResponse:
    person = _my_person(request)
    certificates = (
        Certificate.objects.filter(person=person).select_related("replaced_by")
        if person
        else Certificate.objects.none()
    )
    return render(
        request,
        "certificates/my_certificates.html",
        {"certificates": certificates.order_by("-issued_at"), "my_tab": "certificates"},
    )


@login_required
def my_certificate_pdf(request: HttpRequest, certificate_pk: int) -> HttpResponse:
    # Only one's own, and only while valid: a revoked or replaced paper is not handed out again.
    certificate = get_object_or_404(
        Certificate.objects.filter(person__user=request.user, status=CertificateStatus.VALID),
        pk=certificate_pk,
    )
    return _certificate_pdf(certificate, _own_language(request))


@login_required
def my_cpd(request: HttpRequest) -> HttpResponse:
    person = _my_person(request)
    return render(
        request,
        "certificates/my_cpd.html",
        {"person": person, "record": cpd_record(person) if person else None, "my_tab": "cpd"},
    )


@login_required
def my_cpd_pdf(request: HttpRequest) -> HttpResponse:
    person = _my_person(request)
    if person is None:  # a login that is not (yet) a participant has nothing to print
        return redirect("certificates:my_cpd")
    return _cpd_pdf(request, person, language=_own_language(request))


def _cpd_pdf(request: HttpRequest, person, project=None, *, language: str) -> HttpResponse:
    content = render_pdf(
        "certificates/pdf/cpd.html",
        {
            "person": person,
            "record": cpd_record(person, project=project),
            "today": timezone.localdate(),
        },
        language=language,
    )
    with translation.override(language):
        name = download_name(pgettext("file name", "CPD record"), person.full_name, extension="pdf")
    return pdf_response(content, name)


# --- back office ----------------------------------------------------------------------------------


def _context(access, **extra) -> dict:
    return {"access": access, "project": access.project, "tab": "certificates", **extra}


@login_required
def overview(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    project = access.project
    settings_by_activity = {
        s.activity_id: s
        for s in ActivityCertificateSettings.objects.filter(
            activity__project=project
        ).select_related("issuer__organisation")
    }
    activities = list(project.activities.prefetch_related("cohorts"))
    for activity in activities:
        activity.cert_settings = settings_by_activity.get(activity.pk)
    counts = {}
    for cohort_id, status in Certificate.objects.filter(project=project).values_list(
        "enrolment__cohort_id", "status"
    ):
        counts.setdefault(cohort_id, 0)
        if status == CertificateStatus.VALID:
            counts[cohort_id] += 1
    for activity in activities:
        for cohort in activity.cohorts.all():
            cohort.valid_certificates = counts.get(cohort.pk, 0)
    return render(
        request,
        "certificates/overview.html",
        _context(
            access,
            activities=activities,
            issuers=CertificateIssuer.objects.filter(project=project).select_related(
                "organisation"
            ),
        ),
    )


REGISTER_PAGE_SIZE = 50


def _filtered_register(request: HttpRequest, access):
    """The register's certificates with the valid filters of the query string applied."""
    certificates = project_certificates(access)
    activities = list(access.project.activities.all())
    cohorts = list(
        access.cohorts().select_related("activity").order_by("activity__position", "start_date")
    )
    years = sorted(set(certificates.values_list("year", flat=True)), reverse=True)
    organisations = Organisation.objects.filter(
        pk__in=certificates.values("enrolment__organisation")
    ).order_by(*lt_order("name"))
    form = RegisterFilterForm(
        request.GET or None,
        activities=activities,
        years=years,
        cohorts=cohorts,
        organisations=organisations,
    )
    data = form.filters()
    if data.get("q"):
        certificates = certificates.filter(
            Q(participant_name__icontains=data["q"]) | Q(number__icontains=data["q"])
        )
    if data.get("status"):
        certificates = certificates.filter(status=data["status"])
    if data.get("activity"):
        certificates = certificates.filter(enrolment__cohort__activity_id=data["activity"])
    if data.get("cohort"):
        certificates = certificates.filter(enrolment__cohort_id=data["cohort"])
    if data.get("organisation"):
        certificates = certificates.filter(enrolment__organisation_id=data["organisation"])
    if data.get("year"):
        certificates = certificates.filter(year=data["year"])
    return form, certificates.order_by("-year", "prefix", "-sequence")


@login_required
def register(request: HttpRequest, code: str) -> HttpResponse:
    """The certificate register, 50 a page; the exports take every filtered certificate."""
    access = require_register(get_project_access(request.user, code, Perm.VIEW))
    form, certificates = _filtered_register(request, access)
    page = Paginator(certificates, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "certificates/register.html", _context(access, form=form, page=page))


@login_required
def register_export(request: HttpRequest, code: str) -> HttpResponse:
    access = require_register(get_project_access(request.user, code, Perm.VIEW))
    _form, certificates = _filtered_register(request, access)
    header = [
        _("Number"),
        _("Participant"),
        _("Activity"),
        _("Academic hours"),
        _("Dates"),
        _("Issuer"),
        _("Issued"),
        _("Status"),
        _("Revoked"),
        _("Public statement"),
        _("Replaced by"),
    ]
    # The internal reason is the coordinators' alone; the funder's observer reads the statement.
    internal = access.is_coordinator
    if internal:
        header.append(_("Internal reason"))
    rows = [
        [
            c.number,
            c.participant_name,
            c.data.get("activity_title", ""),
            c.hours,
            f"{c.data.get('start_date', '')} – {c.data.get('end_date', '')}",
            c.data.get("issuer_name", ""),
            timezone.localtime(c.issued_at).date(),
            c.get_status_display(),
            timezone.localtime(c.revoked_at).date() if c.revoked_at else "",
            c.get_revocation_statement_display() if c.revocation_statement else "",
            getattr(c, "replaced_by", None) and c.replaced_by.number or "",
            *([c.revoked_reason] if internal else []),
        ]
        for c in certificates
    ]
    stem = (access.project.code, pgettext("file name", "certificates"))
    if request.GET.get("format") == "csv":
        return csv_response(download_name(*stem, extension="csv"), header, rows)
    return xlsx_response(
        download_name(*stem, extension="xlsx"), {_("Certificates"): (header, rows)}
    )


@login_required
def issuers(request: HttpRequest, code: str) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    return _issuer_form(request, access, issuer=None, initial=None)


@login_required
def issuer_edit(request: HttpRequest, code: str, issuer_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    issuer = get_object_or_404(access.project.certificate_issuers, pk=issuer_pk)
    initial = {
        "organisation": issuer.organisation_id,
        "prefix": issuer.prefix,
        "signatory_name": issuer.signatory_name,
        "signatory_position": issuer.signatory_position,
    }
    return _issuer_form(request, access, issuer=issuer, initial=initial)


def _issuer_form(request: HttpRequest, access, *, issuer, initial) -> HttpResponse:
    """Add (issuer=None) or edit an issuer: one form, one service."""
    form = IssuerForm(request.POST or None, initial=initial, project=access.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_issuer_save(
                project=access.project, actor=request.user, issuer=issuer, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The issuer was saved."))
            return redirect("certificates:overview", code=access.project.code)
    return render(
        request,
        "certificates/issuer_form.html",
        _context(access, form=form, issuer=issuer),
        status=400 if form.errors else 200,
    )


@login_required
def activity_settings(request: HttpRequest, code: str, activity_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    activity = get_object_or_404(access.project.activities, pk=activity_pk)
    current = ActivityCertificateSettings.objects.filter(activity=activity).first()
    initial = (
        {
            "issuer": current.issuer_id,
            "title": current.title,
            "custom_text": current.custom_text,
            "hours_rule": current.hours_rule,
        }
        if current
        else {}
    )
    form = ActivitySettingsForm(request.POST or None, initial=initial, project=access.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_certificate_settings_save(
                activity=activity, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The certificate settings were saved."))
            return redirect("certificates:overview", code=code)
    return render(
        request,
        "certificates/activity_settings.html",
        _context(access, form=form, activity=activity),
        status=400 if form.errors else 200,
    )


@login_required
def cohort(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    rows = cohort_rows(cohort)
    return render(
        request,
        "certificates/cohort.html",
        _context(
            access,
            cohort=cohort,
            rows=rows,
            waiting=sum(
                1
                for r in rows
                if r.completion and r.completion.completed and not r.certificate and not r.earlier
            ),
            settings_missing=not ActivityCertificateSettings.objects.filter(
                activity_id=cohort.activity_id
            ).exists(),
            batches=CertificateBatch.objects.filter(cohort=cohort)[:5],
            # Before the cohort's last session has ended: why nothing is issued yet, and for a
            # legitimate exception those whose hours already suffice.
            refusal=time_rules.cohort_pending(time_rules.Rule.CERTIFICATE, cohort),
            early_waiting=sum(
                1
                for r in rows
                if r.completion
                and not r.completion.ended
                and not r.completion.overridden
                and r.completion.hours_reached
                and not r.certificate
                and not r.earlier
            ),
            override_form=TimeRuleOverrideForm(),
        ),
    )


@login_required
@require_POST
def cohort_issue(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    enrolment_id = request.POST.get("enrolment", "")
    if not enrolment_id.isdigit():
        raise Http404
    enrolment = get_object_or_404(
        cohort.enrolments, pk=enrolment_id, status=EnrolmentStatus.CONFIRMED
    )
    override = TimeRuleOverrideForm(request.POST)
    try:
        if not override.is_valid():
            raise ValidationError(override.errors.get("override_reason", []))
        certificate = services.certificate_issue(
            enrolment=enrolment, actor=request.user, override_reason=override.reason()
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Certificate %(number)s was issued.") % {"number": certificate.number}
        )
    return redirect("certificates:cohort", code=code, cohort_pk=cohort.pk)


@login_required
@require_POST
def cohort_issue_bulk(request: HttpRequest, code: str, cohort_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    cohort = access.get_cohort(cohort_pk)
    override = TimeRuleOverrideForm(request.POST)
    try:
        if not override.is_valid():
            raise ValidationError(override.errors.get("override_reason", []))
        batch = services.certificate_issue_bulk(
            cohort=cohort, actor=request.user, override_reason=override.reason()
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("certificates:cohort", code=code, cohort_pk=cohort.pk)
    return redirect("certificates:batch", code=code, batch_pk=batch.pk)


@login_required
def batch(request: HttpRequest, code: str, batch_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    batch = _batch(access, batch_pk)
    template = "certificates/batch.html"
    if request.htmx:
        template += "#progress"
    return render(
        request,
        template,
        _context(access, batch=batch, mail=batch_mail_counts(batch), stale_after=STALE_MINUTES),
    )


@login_required
@require_POST
def batch_retry(request: HttpRequest, code: str, batch_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    batch = _batch(access, batch_pk)
    try:
        services.certificate_batch_retry(batch=batch, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The bulk issue continues where it stopped."))
    return redirect("certificates:batch", code=code, batch_pk=batch.pk)


@login_required
@require_POST
def mail(request: HttpRequest, code: str, certificate_pk: int) -> HttpResponse:
    _access, certificate = _certificate(request, code, certificate_pk, Perm.EDIT)
    try:
        services.certificate_mail_retry(certificate=certificate, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The certificate is being e-mailed to the participant."))
    return redirect("certificates:detail", code=code, certificate_pk=certificate.pk)


def _batch(access, batch_pk: int) -> CertificateBatch:
    return get_object_or_404(
        CertificateBatch.objects.select_related("cohort__activity"),
        pk=batch_pk,
        project=access.project,
    )


def _certificate(request: HttpRequest, code: str, pk: int, perm: Perm = Perm.VIEW):
    access = get_project_access(request.user, code, perm)
    return access, get_object_or_404(project_certificates(access), pk=pk)


@login_required
def detail(request: HttpRequest, code: str, certificate_pk: int) -> HttpResponse:
    access, certificate = _certificate(request, code, certificate_pk)
    history = []
    previous = certificate.replaces
    while previous is not None:
        history.append(previous)
        previous = previous.replaces
    return render(
        request,
        "certificates/detail.html",
        _context(
            access,
            certificate=certificate,
            d=certificate.data,
            history=history,
            replacement=getattr(certificate, "replaced_by", None),
            can_edit=access.can(Perm.EDIT),
            other_valid=other_valid_certificate(certificate),
            revoke_form=RevokeForm(prefix="revoke"),
            reissue_form=ReasonForm(prefix="reissue"),
            credential_links=credential_links(certificate, place="project", code=code),
        ),
    )


@login_required
def pdf(request: HttpRequest, code: str, certificate_pk: int) -> HttpResponse:
    _access, certificate = _certificate(request, code, certificate_pk)
    return _certificate_pdf(certificate, _language(request))


def _reason_action(request, code, certificate_pk, prefix, service, done_message):
    access, certificate = _certificate(request, code, certificate_pk, Perm.EDIT)
    form = (RevokeForm if prefix == "revoke" else ReasonForm)(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            result = service(certificate=certificate, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, done_message % {"number": result.number})
            return redirect("certificates:detail", code=code, certificate_pk=result.pk)
    return render(
        request,
        "certificates/detail.html",
        _context(
            access,
            certificate=certificate,
            d=certificate.data,
            history=[],
            replacement=getattr(certificate, "replaced_by", None),
            can_edit=True,
            other_valid=other_valid_certificate(certificate),
            revoke_form=form if prefix == "revoke" else RevokeForm(prefix="revoke"),
            reissue_form=form if prefix == "reissue" else ReasonForm(prefix="reissue"),
        ),
        status=400,
    )


@login_required
@require_POST
def revoke(request: HttpRequest, code: str, certificate_pk: int) -> HttpResponse:
    return _reason_action(
        request,
        code,
        certificate_pk,
        "revoke",
        services.certificate_revoke,
        _("Certificate %(number)s was revoked."),
    )


@login_required
@require_POST
def reissue(request: HttpRequest, code: str, certificate_pk: int) -> HttpResponse:
    return _reason_action(
        request,
        code,
        certificate_pk,
        "reissue",
        services.certificate_reissue,
        _("Certificate %(number)s was issued in place of the old one."),
    )


@login_required
def person_cpd(request: HttpRequest, code: str, person_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    # Only this project's enrolments: the person's other projects are not its business.
    person = access.get_person(person_pk)
    return render(
        request,
        "certificates/person_cpd.html",
        _context(access, person=person, record=cpd_record(person, project=access.project)),
    )


@login_required
def person_cpd_pdf(request: HttpRequest, code: str, person_pk: int) -> HttpResponse:
    access = get_project_access(request.user, code, Perm.EDIT)
    return _cpd_pdf(
        request, access.get_person(person_pk), project=access.project, language=_language(request)
    )
