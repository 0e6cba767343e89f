import pytest

from kvalis.certificates import services as certificates
from kvalis.surveys.models import Answer, SurveyParticipation, SurveyResponse
from tests.factories import (
    ActivityCertificateSettingsFactory,
    AttendanceFactory,
    CertificateIssuerFactory,
    EnrolmentFactory,
    SurveyFactory,
    SurveyQuestionFactory,
    TravellerFactory,
    UserFactory,
)

SECRET_ANSWER = "Lektorius kalbėjo per greitai — slaptas atsakymas"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def participant(world):
    """person_a (works at the lead) with a login, a completed training with its certificate,
    an answered survey (with an anonymous free-text answer) and a study-visit place."""
    person = world.person_a
    person.user = UserFactory(email=person.email, first_name="Eglė", last_name="Jonaitė")
    person.first_name = "Eglė"
    person.save()
    issuer = CertificateIssuerFactory(project=world.project, organisation=world.lead, prefix="UVB")
    ActivityCertificateSettingsFactory(activity=world.activity, issuer=issuer)
    enrolment = EnrolmentFactory(cohort=world.cohort, person=person)
    AttendanceFactory(enrolment=enrolment, session=world.session, status="present")
    certificates.certificate_issue(enrolment=enrolment, actor=world.alice, notify=False)
    survey = SurveyFactory(activity=world.activity)
    question = SurveyQuestionFactory(template=survey.template, kind="text")
    response = SurveyResponse.objects.create(
        survey=survey, cohort=world.cohort, submitted_on=world.cohort.end_date
    )
    Answer.objects.create(response=response, question=question, text=SECRET_ANSWER)
    SurveyParticipation.objects.create(survey=survey, person=person)
    TravellerFactory(visit__project=world.project, person=person)
    return person
