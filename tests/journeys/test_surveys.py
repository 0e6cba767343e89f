"""Surveys in a real browser: a participant finds the open evaluation on "My surveys", answers it,
and cannot answer twice; then the coordinator sees the results (six answers, so they are shown)
with charts and their data tables. The form and the results page pass axe-core (WCAG 2.1 AA)."""

import pytest
from playwright.sync_api import expect

from kvalis.surveys.models import SurveyParticipation, SurveyResponse
from kvalis.surveys.services import (
    survey_close,
    survey_response_submit,
    survey_template_copy,
    survey_template_default_ensure,
)
from tests.browser import assert_accessible, follow, login
from tests.factories import (
    PASSWORD,
    ActivityFactory,
    CohortFactory,
    EnrolmentFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnerFactory,
    PersonFactory,
    ProjectFactory,
    SessionFactory,
    SurveyFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_survey(live_server):
    project = ProjectFactory(code="UTENA-S", title="Kultūros darbuotojų kvalifikacija")
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    library = OrganisationFactory(name="Molėtų viešoji biblioteka")
    coordinator = UserFactory(email="koordinatore@example.lt")
    MembershipFactory(project=project, user=coordinator, role="coordinator")
    activity = ActivityFactory(project=project, title="Projektų valdymas")
    cohort = CohortFactory(activity=activity, name="1 grupė")
    SessionFactory(cohort=cohort)
    template = survey_template_copy(
        template=survey_template_default_ensure(), project=project, actor=coordinator
    )
    survey = SurveyFactory(
        activity=activity, template=template, title="Modulio „Projektų valdymas“ vertinimas"
    )
    questions = {q.key: q for q in template.questions.all()}
    # Five colleagues have answered already.
    for index, surname in enumerate(["Žukauskienė", "Šimkus", "Butkutė", "Čepulis", "Jonaitė"]):
        person = PersonFactory(last_name=surname, organisation=library)
        EnrolmentFactory(cohort=cohort, person=person)
        answers = {q.pk: 4 + index % 2 for q in questions.values() if q.kind == "scale"} | {
            questions["apply"].pk: questions["apply"].choices.first().pk
        }
        if index == 0:
            answers[questions["improve"].pk] = "Daugiau praktinių užduočių"
        survey_response_submit(survey=survey, person=person, answers=answers)
    participant = UserFactory(email="egle@example.lt")
    person = PersonFactory(
        user=participant, first_name="Eglė", last_name="Čepulytė", organisation=library
    )
    EnrolmentFactory(cohort=cohort, person=person)
    return {
        "project": project,
        "activity": activity,
        "survey": survey,
        "questions": questions,
        "participant": participant,
        "person": person,
        "coordinator": coordinator,
    }


def test_participant_answers_then_coordinator_sees_results(
    page, new_context, live_server, open_survey
):
    survey, questions = open_survey["survey"], open_survey["questions"]

    # The participant finds the survey on "My surveys".
    login(page, live_server, open_survey["participant"].email, PASSWORD)
    page.goto(f"{live_server.url}/my/surveys/")
    link = page.get_by_role("link", name=survey.title)
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(survey.title)
    assert_accessible(page, "the survey form")

    # Submitting without the required answers shows errors and saves nothing.
    page.get_by_role("button", name="Siųsti atsakymus").click()
    expect(page.get_by_text("Atsakykite į šį klausimą.").first).to_be_visible()
    assert SurveyResponse.objects.filter(survey=survey).count() == 5

    for key in ("overall", "relevance", "trainer", "organisation", "materials"):
        page.get_by_role("group", name=questions[key].text).get_by_label("5").check()
    page.get_by_role("group", name=questions["apply"].text).get_by_label(
        "Taip, artimiausiu metu"
    ).check()
    page.get_by_role("group", name=questions["useful"].text).get_by_label(
        "Praktinės užduotys"
    ).check()
    page.get_by_label(questions["improve"].text).fill("Ilgesnės pertraukos tarp užsiėmimų")
    page.get_by_role("button", name="Siųsti atsakymus").click()
    expect(page.get_by_text("Ačiū! Jūsų atsakymai išsaugoti anonimiškai.")).to_be_visible()
    assert SurveyResponse.objects.filter(survey=survey).count() == 6
    assert SurveyParticipation.objects.filter(survey=survey, person=open_survey["person"]).exists()

    # Going back to the form: it says the survey is answered, and offers no form.
    page.goto(f"{live_server.url}/my/surveys/{survey.public_id}/")
    expect(page.get_by_text("Į šią apklausą jau atsakėte. Ačiū!")).to_be_visible()
    expect(page.get_by_role("button", name="Siųsti atsakymus")).to_have_count(0)

    # Results change only by published batches, never by one answer: closing the survey
    # publishes it (never published before, so all six answers at once).
    survey.refresh_from_db()
    survey_close(survey=survey, actor=open_survey["coordinator"])

    # The coordinator opens the results of the activity.
    coordinator_page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(coordinator_page, live_server, open_survey["coordinator"].email, PASSWORD)
    project = open_survey["project"]
    coordinator_page.goto(f"{live_server.url}/projects/{project.code}/surveys/")
    follow(
        coordinator_page,
        coordinator_page.get_by_role("link", name=open_survey["activity"].title, exact=True),
    )
    expect(coordinator_page.get_by_role("heading", level=2)).to_contain_text("Projektų valdymas")
    main = coordinator_page.locator("main")
    expect(main).to_contain_text("Kaip bendrai vertinate mokymus?")
    expect(main).to_contain_text("Ilgesnės pertraukos tarp užsiėmimų")
    expect(main).to_contain_text("Daugiau praktinių užduočių")
    assert coordinator_page.locator("figure.chart svg").count() >= 7
    assert coordinator_page.locator("figure.chart table").count() >= 7
    # 6 answers of 6 participants; the overall mean is (4+5+4+5+4 + 5) / 6 = 4.50.
    expect(main).to_contain_text("vidurkis 4,50")
    assert_accessible(coordinator_page, "the results page")
