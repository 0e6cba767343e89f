"""factory_boy factories for the domain core. Other apps add theirs beside these."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import factory

from kvalis.accounts.models import User
from kvalis.organisations.models import Organisation, OrganisationCoordinator
from kvalis.people.models import Person
from kvalis.projects.models import Activity, Cohort, Membership, Partner, Project, Session, Venue

VILNIUS = ZoneInfo("Europe/Vilnius")
PASSWORD = "kvalis-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.lt")
    first_name = "Vardenis"
    last_name = "Pavardenis"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Biblioteka {n}")
    type = "library"
    municipality = "utenos-r"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = "Ona"
    last_name = factory.Sequence(lambda n: f"Pavardė{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.lt")
    organisation = factory.SubFactory(OrganisationFactory)
    position = "bibliotekininkė"
    position_category = "specialist"
    # As recorded by the employer (the default of every staff list); an application typed by
    # a stranger is the exception, and its tests say so.
    email_verified = True


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    code = factory.Sequence(lambda n: f"PRJ-{n}")
    title = factory.Sequence(lambda n: f"Projektas {n}")
    lead = factory.SubFactory(OrganisationFactory)
    grant_amount = Decimal("25000.00")
    currency = "LTL"
    start_date = date(2014, 3, 1)
    end_date = date(2014, 11, 30)
    planned_participants = 160


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "sending"
    status = "accepted"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = "coordinator"

    @factory.post_generation
    def keeper(obj, create, extracted, **kwargs):  # noqa: N805
        """A project's coordinator speaks for its lead, a partner coordinator for the partner's
        organisation, as the ownership migration made of existing data; `keeper=False` makes a
        membership without it (someone invited into a project only)."""
        if not create or extracted is False:
            return
        if obj.role == "coordinator":
            organisation = obj.project.lead
        elif obj.role == "partner_coordinator":
            organisation = obj.partner.organisation
        else:
            return
        make_coordinator(organisation, obj.user)


def make_coordinator(organisation: Organisation, user: User) -> OrganisationCoordinator:
    """Register the organisation (if it is not) and name `user` its coordinator."""
    from django.utils import timezone

    if organisation.registered_at is None:
        organisation.registered_at = timezone.now()
        organisation.represented_by = None
        organisation.save(update_fields=["registered_at", "represented_by"])
    coordinator, _created = OrganisationCoordinator.objects.get_or_create(
        organisation=organisation, user=user
    )
    return coordinator


class VenueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Venue

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Salė {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    project = factory.SubFactory(ProjectFactory)
    kind = "module"
    title = factory.Sequence(lambda n: f"Modulis {n}")
    academic_hours = Decimal("16")


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    activity = factory.SubFactory(ActivityFactory)
    name = factory.Sequence(lambda n: f"{n} grupė")
    start_date = date(2014, 4, 7)
    end_date = date(2014, 4, 8)
    capacity = 25


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    cohort = factory.SubFactory(CohortFactory)
    starts_at = factory.LazyAttribute(
        lambda o: datetime.combine(o.cohort.start_date, time(9), tzinfo=VILNIUS)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=7))
    academic_hours = Decimal("8")
    title = "Užsiėmimas"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrolment.Enrolment"

    person = factory.SubFactory(PersonFactory)
    cohort = factory.SubFactory(CohortFactory)
    status = "confirmed"
    organisation = factory.LazyAttribute(lambda o: o.person.organisation)
    organisation_name = factory.LazyAttribute(
        lambda o: o.person.organisation.name if o.person.organisation else ""
    )
    position = factory.LazyAttribute(lambda o: o.person.position)
    position_category = factory.LazyAttribute(lambda o: o.person.position_category)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "attendance.Attendance"

    enrolment = factory.SubFactory(EnrolmentFactory)
    session = factory.SubFactory(SessionFactory)
    status = "present"


# --- budget -----------------------------------------------------------------------------------


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "budget.BudgetLine"

    project = factory.SubFactory(ProjectFactory)
    category = "trainers_fees"
    source = "grant"
    title = factory.Sequence(lambda n: f"Sąmatos eilutė {n}")
    planned_amount = Decimal("1000.00")


class ExpenseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "budget.Expense"

    line = factory.SubFactory(BudgetLineFactory)
    date = date(2014, 5, 12)
    supplier = "UAB „Pavyzdys“ (iliustracinis)"
    document_number = factory.Sequence(lambda n: f"PVZ-{n:04d}")
    amount = Decimal("100.00")


# --- surveys ----------------------------------------------------------------------------------


class SurveyTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.SurveyTemplate"

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Vertinimo anketa {n}")


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Question"

    template = factory.SubFactory(SurveyTemplateFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = "scale"
    text = factory.Sequence(lambda n: f"Klausimas {n}?")
    required = True


class SurveyChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "surveys.Choice"

    question = factory.SubFactory(SurveyQuestionFactory, kind="single")
    position = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Variantas {n}")


class SurveyFactory(factory.django.DjangoModelFactory):
    """An open survey of a whole activity; pass `cohort=` for a survey of one cohort."""

    class Meta:
        model = "surveys.Survey"

    activity = factory.SubFactory(ActivityFactory)
    project = factory.LazyAttribute(lambda o: o.activity.project)
    template = factory.SubFactory(SurveyTemplateFactory, project=factory.SelfAttribute("..project"))
    cohort = None
    title = factory.Sequence(lambda n: f"Apklausa {n}")
    status = "open"
    open_mode = "manual"
    opened_on = date(2014, 4, 9)
    closes_on = factory.LazyFunction(lambda: date.today() + timedelta(days=30))


# --- enrolment app -------------------------------------------------------------------------


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrolment.Quota"

    cohort = factory.SubFactory(CohortFactory)
    partner = factory.SubFactory(PartnerFactory)
    seats = 5


class EnrolmentConfirmationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrolment.EnrolmentConfirmation"

    enrolment = factory.SubFactory(EnrolmentFactory, status="unconfirmed")


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "enrolment.ImportBatch"

    cohort = factory.SubFactory(CohortFactory)
    project = factory.LazyAttribute(lambda o: o.cohort.activity.project)
    filename = "darbuotojai.csv"
    header = ["Vardas", "Pavardė"]


# --- certificates app -----------------------------------------------------------------------


class CertificateIssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.CertificateIssuer"

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.LazyAttribute(lambda o: o.project.lead)
    prefix = factory.Sequence(lambda n: f"UVB{n}")
    signatory_name = "Dalia Žilinskienė"
    signatory_position = "direktorė"


class ActivityCertificateSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.ActivityCertificateSettings"

    activity = factory.SubFactory(ActivityFactory)
    issuer = factory.SubFactory(
        CertificateIssuerFactory, project=factory.SelfAttribute("..activity.project")
    )


class CertificateFactory(factory.django.DjangoModelFactory):
    """A valid certificate made directly (no numbering service): for access and page tests."""

    class Meta:
        model = "certificates.Certificate"

    enrolment = factory.SubFactory(EnrolmentFactory)
    project = factory.LazyAttribute(lambda o: o.enrolment.cohort.activity.project)
    person = factory.LazyAttribute(lambda o: o.enrolment.person)
    issuer = factory.LazyAttribute(
        lambda o: (
            o.enrolment.cohort.activity.project.certificate_issuers.first()
            or CertificateIssuerFactory(project=o.enrolment.cohort.activity.project)
        )
    )
    prefix = factory.LazyAttribute(lambda o: o.issuer.prefix)
    year = 2014
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"{o.prefix}-{o.year}-{o.sequence:04d}")
    verification_code = factory.Sequence(lambda n: f"TESTCODE{n:08d}")
    issued_at = factory.LazyFunction(lambda: datetime(2014, 6, 1, 12, tzinfo=VILNIUS))
    participant_name = factory.LazyAttribute(lambda o: o.enrolment.person.full_name)
    hours = Decimal("16")
    data = factory.LazyAttribute(
        lambda o: {
            "participant_name": o.enrolment.person.full_name,
            "hours": "16",
            "certificate_title": "",
            "custom_text": "",
            "activity_title": o.enrolment.cohort.activity.title,
            "activity_kind": "module",
            "learning_outcomes": "",
            "project_title": o.enrolment.cohort.activity.project.title,
            "project_code": o.enrolment.cohort.activity.project.code,
            "funder_name": "",
            "cohort_name": o.enrolment.cohort.name,
            "start_date": o.enrolment.cohort.start_date.isoformat(),
            "end_date": o.enrolment.cohort.end_date.isoformat(),
            "place": "Utena",
            "issuer_name": o.issuer.organisation.name,
            "signatory_name": o.issuer.signatory_name,
            "signatory_position": o.issuer.signatory_position,
        }
    )


class CertificateBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "certificates.CertificateBatch"

    cohort = factory.SubFactory(CohortFactory)
    project = factory.LazyAttribute(lambda o: o.cohort.activity.project)
    status = "done"
    total = 0
    done = 0


# --- visits -----------------------------------------------------------------------------------


class StudyVisitFactory(factory.django.DjangoModelFactory):
    """A study visit to Tallinn with its own study-visit activity and travelling cohort."""

    class Meta:
        model = "visits.StudyVisit"
        exclude = ["project"]

    project = factory.SubFactory(ProjectFactory)
    activity = factory.LazyAttribute(
        lambda o: ActivityFactory(project=o.project, kind="study_visit", title="Išvyka į Taliną")
    )
    cohort = factory.LazyAttribute(
        lambda o: CohortFactory(
            activity=o.activity,
            name="Išvykos grupė",
            start_date=date(2014, 11, 5),
            end_date=date(2014, 11, 7),
            capacity=20,
        )
    )
    destination_city = "Talinas"
    destination_country = "Estija"
    start_date = date(2014, 11, 5)
    end_date = date(2014, 11, 7)
    places = 20
    min_completed_modules = 1


class HostVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "visits.HostVisit"

    visit = factory.SubFactory(StudyVisitFactory)
    organisation_name = factory.Sequence(lambda n: f"Talino kultūros centras {n} (iliustracinis)")
    city = "Talinas"
    country = "Estija"
    starts_at = factory.LazyAttribute(
        lambda o: datetime.combine(o.visit.start_date, time(10), tzinfo=VILNIUS)
    )
    topic = "Jaunimo erdvės"


class TravellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "visits.Traveller"

    visit = factory.SubFactory(StudyVisitFactory)
    person = factory.SubFactory(PersonFactory)
    status = "traveller"
    completed_modules = 1


class TravellerCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "visits.TravellerCost"

    traveller = factory.SubFactory(TravellerFactory)
    expense = factory.SubFactory(ExpenseFactory)
    amount = factory.LazyAttribute(lambda o: o.expense.amount)
