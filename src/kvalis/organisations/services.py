"""Writes of organisations: creating and correcting them, registering them and naming their
coordinators, join requests from new institutions, and merging duplicates."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalis.audit.services import audit_log
from kvalis.lib.mail import queue_mail
from kvalis.organisations.codes import normalise_company_code, validate_company_code
from kvalis.organisations.models import (
    JoinRequest,
    JoinRequestStatus,
    Organisation,
    OrganisationCoordinator,
)

# The Lithuanian case forms used in generated text ("…bibliotekos darbuotojai").
CASE_FORM_FIELDS = (
    "name_genitive",
    "name_dative",
    "name_accusative",
    "name_instrumental",
    "name_locative",
)
# Fields of an organisation its editors correct on the directory's form.
EDITABLE_FIELDS = (
    "name",
    "short_name",
    "type",
    "municipality",
    "company_code",
    "address",
    "email",
    "website",
    *CASE_FORM_FIELDS,
)


def _absolute(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def company_code_check(code: str, *, organisation: Organisation | None = None) -> str:
    """The code without spaces, refused when malformed or another organisation has it.

    The database holds uniqueness too (`organisations_company_code_unique`); this says which
    organisation has the code, in words, instead of failing on the constraint.
    """
    code = normalise_company_code(code)
    if not code:
        return code
    try:
        validate_company_code(code)
    except ValidationError as error:
        raise ValidationError({"company_code": error.messages}) from None
    holder = Organisation.objects.filter(company_code=code)
    if organisation is not None and organisation.pk:
        holder = holder.exclude(pk=organisation.pk)
    holder = holder.first()
    if holder is not None:
        raise ValidationError(
            {
                "company_code": _(
                    "Company code %(code)s already belongs to %(name)s: an organisation is "
                    "listed once. Find it in the list instead of adding it again."
                )
                % {"code": code, "name": holder.name}
            }
        )
    return code


@transaction.atomic
def organisation_create(
    *,
    actor,
    name: str,
    type: str,  # noqa: A002 - the model's field name
    municipality: str = "",
    short_name: str = "",
    company_code: str = "",
    email: str = "",
    website: str = "",
    address: str = "",
    represented_by: Organisation | None = None,
    created_by_organisation: Organisation | None = None,
    **case_forms: str,
) -> Organisation:
    """Create an (unregistered) organisation, represented by `represented_by` (the creator's
    own organisation, which keeps its staff records). `created_by_organisation` is the
    creator's organisation, whose coordinators may correct it while it is unregistered.

    An existing organisation of the same name (any case) in the same municipality is never
    reused silently: that would hand its people to whoever typed its name.
    """
    name = " ".join(name.split())
    if Organisation.objects.filter(name__iexact=name, municipality=municipality).exists():
        raise ValidationError(
            {
                "new_name": _(
                    "%(name)s is already in the list: choose it there (as a partner it must "
                    "accept the invitation)."
                )
                % {"name": name}
            }
        )
    unknown = set(case_forms) - set(CASE_FORM_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    organisation = Organisation(
        represented_by=represented_by,
        created_by_organisation=created_by_organisation,
        name=name,
        type=type,
        municipality=municipality,
        short_name=short_name,
        company_code=company_code_check(company_code),
        email=email,
        website=website,
        address=address,
        **case_forms,
    )
    organisation.full_clean()
    organisation.save()
    audit_log(actor=actor, action="organisation.create", obj=organisation)
    return organisation


@transaction.atomic
def organisation_register(*, actor, organisation: Organisation) -> Organisation:
    """A site administrator registers an organisation: it speaks for itself from now on (it is
    no longer represented by another), and its coordinators may start projects."""
    if organisation.registered_at is not None:
        return organisation
    organisation.registered_at = timezone.now()
    organisation.represented_by = None
    organisation.full_clean()
    organisation.save(update_fields=["registered_at", "represented_by"])
    audit_log(actor=actor, action="organisation.register", obj=organisation)
    return organisation


@transaction.atomic
def organisation_coordinator_add(*, actor, organisation: Organisation, user):
    """Name `user` a coordinator of a registered organisation."""
    if organisation.registered_at is None:
        raise ValidationError(
            _("Register %(name)s first: only a registered organisation has coordinators.")
            % {"name": organisation.name}
        )
    coordinator, created = OrganisationCoordinator.objects.get_or_create(
        organisation=organisation, user=user
    )
    if created:
        audit_log(
            actor=actor,
            action="organisation.coordinator_add",
            obj=organisation,
            organisation=organisation,
            summary=f"{organisation.name} — {user.email}",
        )
    return coordinator


@transaction.atomic
def organisation_update(*, actor, organisation: Organisation, **fields: str) -> Organisation:
    """Correct an organisation's details (the caller checked `ownership.may_edit_organisation`).

    A new name must not be another organisation's in the same municipality, and the company
    code must be nobody else's: the list holds each institution once.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    old = {name: getattr(organisation, name) for name in fields}
    for name, value in fields.items():
        setattr(organisation, name, " ".join(value.split()) if name == "name" else value.strip())
    organisation.company_code = company_code_check(
        organisation.company_code, organisation=organisation
    )
    same_name = Organisation.objects.filter(
        name__iexact=organisation.name, municipality=organisation.municipality
    ).exclude(pk=organisation.pk)
    if same_name.exists():
        raise ValidationError(
            {
                "name": _(
                    "Another organisation of this name is in this municipality already. If it "
                    "is the same institution, ask a site administrator to merge the two."
                )
            }
        )
    organisation.full_clean()
    changed = {
        name: [old[name], getattr(organisation, name)]
        for name in fields
        if old[name] != getattr(organisation, name)
    }
    if not changed:
        return organisation
    organisation.save(update_fields=list(changed))
    audit_log(
        actor=actor,
        action="organisation.update",
        obj=organisation,
        organisation=organisation,
        data={"changed": changed},
    )
    return organisation


# --- logins of coordinators ------------------------------------------------------------------


def _same_name(left: str, right: str) -> bool:
    return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()


def _login_for_coordinator(*, email: str, first_name: str, last_name: str, language: str):
    """The login of the person to make a coordinator: theirs if the address has one already,
    else a new invited one (no usable password until they choose one through the link).

    An address whose login, or whose person record, carries another person's name is refused:
    making that login a coordinator would hand the organisation to someone else.
    """
    from kvalis.accounts.models import User
    from kvalis.accounts.services import user_get_or_invite
    from kvalis.people.models import Person

    email = email.strip().lower()
    wanted = f"{first_name} {last_name}"
    user = User.objects.filter(email__iexact=email).first()
    holders = []
    if user is not None:
        holders.append(user.get_full_name())
        holders += [person.full_name for person in Person.objects.filter(user=user)]
    holders += [person.full_name for person in Person.objects.filter(email__iexact=email)]
    if any(name.strip() and not _same_name(name, wanted) for name in holders):
        raise ValidationError(
            {
                "email": _(
                    "This address belongs to another person's login (under another name). A "
                    "coordinator is invited at their own address: check the address and the name."
                )
            }
        )
    if user is not None and not user.is_active:
        raise ValidationError({"email": _("The login with this address is switched off.")})
    user, _created = user_get_or_invite(
        email=email, first_name=first_name, last_name=last_name, language=language
    )
    return user


def _mail_coordinator_invitation(*, organisation: Organisation, user, inviter: str) -> None:
    queue_mail(
        to=user.email,
        template="organisations/emails/coordinator_invitation",
        context={
            "name": user.get_full_name(),
            "first_name": user.first_name,  # the greeting: "Sveiki, Vytautai,"
            "organisation": organisation.name,
            "inviter": inviter,
            "set_password_url": _set_password_url(user),
            "login_url": _absolute("accounts:login"),
            "organisation_url": _absolute("organisations:detail", organisation.pk),
        },
        language=user.language or "lt",
    )


def _set_password_url(user) -> str:
    from kvalis.accounts.services import set_password_url

    return "" if user.has_usable_password() else set_password_url(user)


@transaction.atomic
def organisation_coordinator_invite(
    *,
    actor,
    organisation: Organisation,
    email: str,
    first_name: str,
    last_name: str,
    language: str = "lt",
) -> OrganisationCoordinator:
    """A coordinator of a registered organisation names a colleague a coordinator too; the
    colleague gets a login (if the address has none) and an e-mail with the set-password link.
    The caller checked `ownership.may_invite_coordinator`."""
    first_name, last_name = " ".join(first_name.split()), " ".join(last_name.split())
    errors = {}
    if not first_name or not last_name:
        errors["last_name"] = _("Enter the colleague's first and last name.")
    if not email.strip():
        errors["email"] = _("Enter the e-mail address of the person to invite.")
    if errors:
        raise ValidationError(errors)
    if organisation.coordinators.filter(user__email__iexact=email.strip()).exists():
        already = _("This person is a coordinator of %(name)s already.")
        raise ValidationError({"email": already % {"name": organisation.name}})
    user = _login_for_coordinator(
        email=email, first_name=first_name, last_name=last_name, language=language
    )
    coordinator = organisation_coordinator_add(actor=actor, organisation=organisation, user=user)
    _mail_coordinator_invitation(
        organisation=organisation, user=user, inviter=actor.get_full_name() or actor.email
    )
    return coordinator


# --- join requests ---------------------------------------------------------------------------


def _site_administrators():
    from kvalis.accounts.models import User

    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk")


def _check_code_free_for_request(code: str, *, join_request: JoinRequest | None = None) -> None:
    """A registered organisation or another open request with the code is refused; an
    unregistered organisation with it is what the approval will register."""
    registered = Organisation.objects.filter(company_code=code, registered_at__isnull=False)
    if registered.exists():
        raise ValidationError(
            {
                "company_code": _(
                    "An organisation with this company code already works in Kvalis. Ask its "
                    "coordinators to invite you as a coordinator."
                )
            }
        )
    open_requests = JoinRequest.objects.filter(company_code=code, status=JoinRequestStatus.PENDING)
    if join_request is not None:
        open_requests = open_requests.exclude(pk=join_request.pk)
    if open_requests.exists():
        raise ValidationError(
            {
                "company_code": _(
                    "A request to join for this company code is already waiting for a site "
                    "administrator's answer."
                )
            }
        )


@transaction.atomic
def join_request_create(
    *,
    name: str,
    type: str,  # noqa: A002 - the model's field name
    municipality: str,
    company_code: str,
    address: str,
    contact_first_name: str,
    contact_last_name: str,
    contact_email: str,
    contact_phone: str,
    contact_position: str,
    language: str = "lt",
) -> JoinRequest:
    """A public request of an institution to join. The requester is told it was received, the
    site administrators that it waits for them."""
    join_request = JoinRequest(
        name=" ".join(name.split()),
        type=type,
        municipality=municipality,
        company_code=normalise_company_code(company_code),
        address=address.strip(),
        contact_first_name=" ".join(contact_first_name.split()),
        contact_last_name=" ".join(contact_last_name.split()),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
        contact_position=contact_position.strip(),
        language=language if language in dict(settings.LANGUAGES) else "lt",
    )
    # The format first, so that a malformed code gets the format message.
    join_request.full_clean(validate_constraints=False)
    _check_code_free_for_request(join_request.company_code)
    join_request.full_clean()
    try:
        with transaction.atomic():
            join_request.save()
    except IntegrityError:
        # Two requests for one code at the same moment: the constraint lets one in.
        _check_code_free_for_request(join_request.company_code)
        raise
    audit_log(actor=None, action="join_request.create", obj=join_request)
    context = {
        "name": join_request.contact_name,
        "first_name": join_request.contact_first_name,  # the greeting: "Sveiki, Vytautai,"
        "organisation": join_request.name,
        "company_code": join_request.company_code,
    }
    queue_mail(
        to=join_request.contact_email,
        template="organisations/emails/join_received",
        context=context,
        language=join_request.language,
    )
    for admin in _site_administrators():
        queue_mail(
            to=admin.email,
            template="organisations/emails/join_notice",
            context={
                **context,
                "contact_email": join_request.contact_email,
                "request_url": _absolute("organisations:join_request", join_request.pk),
            },
            language=admin.language or "lt",
        )
    return join_request


def _lock_pending(join_request: JoinRequest) -> JoinRequest:
    locked = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if locked.status != JoinRequestStatus.PENDING:
        raise ValidationError(
            _("This request was already %(status)s: it is answered once.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def join_request_approve(*, actor, join_request: JoinRequest) -> JoinRequest:
    """A site administrator approves: the organisation is created (or the unregistered one with
    the same company code is registered instead of a duplicate), the contact person gets a
    login if the address has none, becomes its coordinator and is e-mailed the link."""
    if not actor.is_superuser:
        raise ValidationError(_("Only a site administrator answers join requests."))
    join_request = _lock_pending(join_request)
    _check_code_free_for_request(join_request.company_code, join_request=join_request)
    organisation = Organisation.objects.filter(company_code=join_request.company_code).first()
    same_name = Organisation.objects.filter(
        name__iexact=join_request.name, municipality=join_request.municipality
    )
    if organisation is None and same_name.exists():
        raise ValidationError(
            _(
                "%(name)s is already listed in this municipality, without this company code. "
                "If it is the same institution, enter the code on its page and approve again: "
                "it is registered instead of a duplicate."
            )
            % {"name": join_request.name}
        )
    if organisation is None:
        organisation = organisation_create(
            actor=actor,
            name=join_request.name,
            type=join_request.type,
            municipality=join_request.municipality,
            company_code=join_request.company_code,
            address=join_request.address,
        )
    elif not organisation.address:
        organisation.address = join_request.address
        organisation.save(update_fields=["address"])
    organisation_register(actor=actor, organisation=organisation)
    try:
        user = _login_for_coordinator(
            email=join_request.contact_email,
            first_name=join_request.contact_first_name,
            last_name=join_request.contact_last_name,
            language=join_request.language,
        )
    except ValidationError as error:
        raise ValidationError(
            _("%(problem)s Reject the request saying so, or ask for another address.")
            % {"problem": " ".join(error.messages)}
        ) from None
    organisation_coordinator_add(actor=actor, organisation=organisation, user=user)
    join_request.status = JoinRequestStatus.APPROVED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.organisation = organisation
    join_request.save(update_fields=["status", "decided_by", "decided_at", "organisation"])
    audit_log(
        actor=actor,
        action="join_request.approve",
        obj=join_request,
        organisation=organisation,
        data={"organisation": organisation.pk, "user": user.pk},
    )
    queue_mail(
        to=user.email,
        template="organisations/emails/join_approved",
        context={
            "name": join_request.contact_name,
            "first_name": join_request.contact_first_name,  # the greeting
            "organisation": organisation.name,
            "set_password_url": _set_password_url(user),
            "login_url": _absolute("accounts:login"),
            "new_project_url": _absolute("projects:create"),
        },
        language=user.language or join_request.language,
    )
    return join_request


@transaction.atomic
def join_request_reject(*, actor, join_request: JoinRequest, reason: str) -> JoinRequest:
    """A site administrator rejects, with a reason that is mailed to the requester."""
    if not actor.is_superuser:
        raise ValidationError(_("Only a site administrator answers join requests."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason: it is sent to the requester.")})
    join_request = _lock_pending(join_request)
    join_request.status = JoinRequestStatus.REJECTED
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.reason = reason
    join_request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    audit_log(actor=actor, action="join_request.reject", obj=join_request, data={"reason": reason})
    queue_mail(
        to=join_request.contact_email,
        template="organisations/emails/join_rejected",
        context={
            "name": join_request.contact_name,
            "first_name": join_request.contact_first_name,  # the greeting
            "organisation": join_request.name,
            "reason": reason,
        },
        language=join_request.language,
    )
    return join_request


# --- merging duplicates ----------------------------------------------------------------------


def _references(model=Organisation):
    """Every foreign key and many-to-many field of any model that points at organisations,
    including those with no reverse accessor (`related_name="+"`): a merge moves them all, so a
    model added later is covered without a change here."""
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and relation.related_model:
            yield relation


def _merge_conflicts(duplicate: Organisation, kept: Organisation) -> list[str]:
    """Rows that may exist once per organisation and exist for both (a partner of the same
    project, a certificate issuer of the same project): the merge cannot decide which to keep."""
    from kvalis.certificates.models import CertificateIssuer
    from kvalis.projects.models import Partner, Project

    problems = []
    both = Partner.objects.filter(organisation=kept).values("project")
    for project in Project.objects.filter(
        pk__in=Partner.objects.filter(organisation=duplicate, project__in=both).values("project")
    ):
        problems.append(
            _("Both are partners of %(project)s: remove one of the two partners first.")
            % {"project": project.code}
        )
    issuing = CertificateIssuer.objects.filter(organisation=kept).values("project")
    for issuer in CertificateIssuer.objects.filter(
        organisation=duplicate, project__in=issuing
    ).select_related("project"):
        problems.append(
            _("Both issue certificates in %(project)s: keep one issuer first.")
            % {"project": issuer.project.code}
        )
    return problems


@transaction.atomic
def organisation_merge(*, actor, duplicate: Organisation, kept: Organisation) -> Organisation:
    """A site administrator merges a duplicate into the organisation that is kept: its people
    (employer), partnerships and the memberships that hang off them, projects it leads or
    funds, certificate issuers, represented institutions, coordinators and history move to the
    kept one, and the duplicate is deleted. A registered duplicate makes the kept one registered
    too, so that its coordinators keep speaking for it."""
    if not actor.is_superuser:
        raise ValidationError(_("Only a site administrator merges organisations."))
    if duplicate.pk == kept.pk:
        raise ValidationError({"kept": _("An organisation cannot be merged with itself.")})
    # Locked in a fixed order, so two merges of the same pair cannot interleave.
    locked = {
        org.pk: org
        for org in Organisation.objects.select_for_update().filter(pk__in=[duplicate.pk, kept.pk])
    }
    if len(locked) != 2:
        raise ValidationError(_("One of the two organisations no longer exists."))
    duplicate, kept = locked[duplicate.pk], locked[kept.pk]
    problems = _merge_conflicts(duplicate, kept)
    if problems:
        raise ValidationError(problems)
    if duplicate.company_code and kept.company_code and duplicate.company_code != kept.company_code:
        raise ValidationError(
            {
                "kept": _(
                    "The two have different company codes (%(a)s and %(b)s): they are different "
                    "institutions."
                )
                % {"a": duplicate.company_code, "b": kept.company_code}
            }
        )
    if duplicate.registered_at is not None and kept.registered_at is None:
        organisation_register(actor=actor, organisation=kept)
        kept.refresh_from_db()

    moved: dict[str, int] = {}
    # Coordinators first: a login that coordinates both stays one coordinator of the kept one.
    OrganisationCoordinator.objects.filter(
        organisation=duplicate, user__in=kept.coordinators.values("user")
    ).delete()
    for relation in _references():
        field = relation.field
        label = f"{relation.related_model._meta.label}.{field.name}"
        if relation.many_to_many:
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            already = through.objects.filter(**{target: kept}).values(source)
            through.objects.filter(**{target: duplicate, f"{source}__in": already}).delete()
            count = through.objects.filter(**{target: duplicate}).update(**{target: kept})
        elif relation.related_model._meta.auto_created:
            continue  # a many-to-many's own table: moved with its field above or below
        else:
            rows = relation.related_model._base_manager.filter(**{field.name: duplicate})
            if relation.related_model is Organisation and field.name == "represented_by":
                # The kept one no longer speaks through the duplicate, nor for itself.
                rows = rows.exclude(pk=kept.pk)
                if kept.represented_by_id == duplicate.pk:
                    kept.represented_by = None
                    kept.save(update_fields=["represented_by"])
            if relation.related_model is Organisation and field.name == "created_by_organisation":
                rows = rows.exclude(pk=kept.pk)
            count = rows.update(**{field.name: kept})
        if count:
            moved[label] = count
    # A partner does not nominate for itself.
    from kvalis.projects.models import Partner

    Partner.covered_organisations.through.objects.filter(
        organisation=kept, partner__organisation=kept
    ).delete()
    # What the kept one lacks, the duplicate may know.
    filled = []
    for name in ("short_name", "company_code", "address", "email", "website", *CASE_FORM_FIELDS):
        if not getattr(kept, name) and getattr(duplicate, name):
            setattr(kept, name, getattr(duplicate, name))
            filled.append(name)
    summary = f"{duplicate.name} → {kept.name}"
    data = {"duplicate": duplicate.pk, "duplicate_name": duplicate.name, "moved": moved}
    duplicate.delete()
    if filled:
        kept.save(update_fields=filled)
    audit_log(
        actor=actor,
        action="organisation.merge",
        obj=kept,
        organisation=kept,
        summary=summary,
        data={**data, "filled": filled},
    )
    return kept
