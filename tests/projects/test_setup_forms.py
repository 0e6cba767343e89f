"""The set-up forms: what they save, and the bad input they refuse (in Lithuanian, saving
nothing)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kvalis.audit.models import AuditEntry
from kvalis.organisations.models import Organisation
from kvalis.projects.models import Activity, Cohort, Membership, Partner, Project, Session, Venue
from tests.factories import OrganisationFactory, VenueFactory


def _project_data(world, **changes):
    data = {
        "code": "NAUJAS-2015",
        "title": "Naujas projektas",
        "description": "",
        "lead": world.lead.pk,
        "funder": "",
        "funding_programme": "Programa",
        "grant_amount": "1000.00",
        "currency": "EUR",
        "start_date": "2015-01-01",
        "end_date": "2015-12-31",
        "planned_participants": "50",
        "planned_academic_hours": "40",
        "planned_certificates": "40",
        "is_public": "on",
    }
    data.update(changes)
    return data


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def test_project_create_makes_the_creator_its_coordinator(alice, world):
    response = alice.post(reverse("projects:create"), _project_data(world))
    project = Project.objects.get(code="NAUJAS-2015")
    assert response.status_code == 302
    assert Membership.objects.filter(project=project, user=world.alice, role="coordinator").exists()
    assert project.partners.get().role == "lead"
    assert AuditEntry.objects.filter(project=project, action="project.create").exists()


def test_a_new_organisation_typed_by_name_cannot_lead_a_project(alice, world):
    """A lead is a registered organisation of the creator's: the form has no field for a new one."""
    data = _project_data(
        world, lead="", new_name="Zarasų kultūros centras", new_type="culture_centre"
    )
    data["new_municipality"] = "zarasu-r"
    response = alice.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert not Project.objects.filter(code="NAUJAS-2015").exists()
    assert not Organisation.objects.filter(name="Zarasų kultūros centras").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2014-12-31"}, "Projektas negali baigtis anksčiau, nei prasideda."),
        ({"grant_amount": "-5"}, "Finansavimo suma negali būti neigiama."),
        ({"currency": "USD"}, "Nežinoma valiuta „USD“"),
        ({"code": "UTENA-T"}, "Šį kodą jau naudoja kitas projektas"),
        ({"lead": ""}, "Šis laukas yra privalomas."),
    ],
)
def test_project_create_refuses_bad_input(alice, world, changes, message):
    projects, organisations = Project.objects.count(), Organisation.objects.count()
    response = alice.post(reverse("projects:create"), _project_data(world, **changes))
    assert response.status_code == 200
    assert message in response.text
    assert Project.objects.count() == projects
    assert Organisation.objects.count() == organisations
    assert not Membership.objects.filter(project__code="NAUJAS-2015").exists()


def test_project_create_with_new_lead_saves_nothing_when_the_project_is_refused(alice, world):
    data = _project_data(world, lead="", new_name="Visiškai nauja įstaiga", new_type="museum")
    data["end_date"] = "2014-01-01"
    alice.post(reverse("projects:create"), data)
    assert not Organisation.objects.filter(name="Visiškai nauja įstaiga").exists()


def test_project_edit_saves_and_refuses_a_negative_grant(alice, world):
    url = reverse("projects:edit", args=[world.project.code])
    data = _project_data(world, title="Pakeistas pavadinimas", currency="LTL")
    data.update(start_date="2014-03-01", end_date="2014-11-30")
    assert alice.post(url, data).status_code == 302
    world.project.refresh_from_db()
    assert world.project.title == "Pakeistas pavadinimas"

    response = alice.post(url, {**data, "grant_amount": "-1", "title": "Kitas"})
    assert "Finansavimo suma negali būti neigiama." in response.text
    world.project.refresh_from_db()
    assert world.project.title == "Pakeistas pavadinimas"
    assert world.project.grant_amount == Decimal("1000.00")


def test_project_period_must_keep_its_cohorts(alice, world):
    url = reverse("projects:edit", args=[world.project.code])
    data = _project_data(world, start_date="2014-05-01", end_date="2014-11-30")
    response = alice.post(url, data)
    assert "laikotarpis turi apimti visas projekto grupes" in response.text
    world.project.refresh_from_db()
    assert str(world.project.start_date) == "2014-03-01"


def test_partner_add_with_role_contact_and_covered_institutions(alice, world):
    new = OrganisationFactory(name="Ignalinos viešoji biblioteka", municipality="ignalinos-r")
    museum = OrganisationFactory(name="Molėtų krašto muziejus", type="museum", represented_by=new)
    response = alice.post(
        reverse("projects:partner_add", args=[world.project.code]),
        {
            "organisation": new.pk,
            "role": "sending",
            "contact_name": "Ona Onaitė",
            "contact_email": "ona@example.lt",
            "contact_phone": "+370 600 00000",
            "covered_organisations": [museum.pk],
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get(project=world.project, organisation=new)
    assert partner.contact_name == "Ona Onaitė"
    assert list(partner.covered_organisations.all()) == [museum]
    assert partner.status == "invited"  # alice does not speak for the Ignalina library


def test_partner_add_never_reuses_an_organisation_typed_by_name(alice, world):
    """Typing an existing institution's name must not make it a partner: it is chosen from the
    list, and then invited."""
    existing = OrganisationFactory(name="Zarasų viešoji biblioteka", municipality="zarasu-r")
    before = Organisation.objects.count()
    response = alice.post(
        reverse("projects:partner_add", args=[world.project.code]),
        {
            "new_name": "zarasų viešoji biblioteka",
            "new_type": "library",
            "new_municipality": "zarasu-r",
            "role": "sending",
        },
    )
    assert "jau yra sąraše: pasirinkite ją ten" in response.text
    assert Organisation.objects.count() == before
    assert not Partner.objects.filter(project=world.project, organisation=existing).exists()


def test_partner_add_of_a_new_organisation_is_accepted_at_once(alice, world):
    """A new institution typed by name is represented by the project's lead, whose coordinator
    added it: nobody else has to accept."""
    alice.post(
        reverse("projects:partner_add", args=[world.project.code]),
        {
            "new_name": "Zarasų kultūros centras",
            "new_type": "culture_centre",
            "new_municipality": "zarasu-r",
            "role": "sending",
        },
    )
    partner = Partner.objects.get(
        project=world.project, organisation__name="Zarasų kultūros centras"
    )
    assert partner.status == "accepted"
    assert partner.organisation.represented_by == world.lead


def test_partner_add_refuses_an_organisation_already_in_the_project(alice, world):
    before = Partner.objects.count()
    response = alice.post(
        reverse("projects:partner_add", args=[world.project.code]),
        {"organisation": world.partner_b.organisation.pk, "role": "academic"},
    )
    assert "Ši organizacija jau yra projekto partnerė." in response.text
    assert Partner.objects.count() == before


def test_partner_edit_and_remove(alice, world):
    code = world.project.code
    alice.post(
        reverse("projects:partner_edit", args=[code, world.partner_b.pk]),
        {"role": "academic", "contact_name": "Jonas"},
    )
    world.partner_b.refresh_from_db()
    assert world.partner_b.role == "academic"
    assert world.partner_b.contact_name == "Jonas"
    alice.post(reverse("projects:partner_remove", args=[code, world.partner_b.pk]))
    assert not Partner.objects.filter(pk=world.partner_b.pk).exists()


def test_the_lead_partner_cannot_be_removed(alice, world):
    url = reverse("projects:partner_remove", args=[world.project.code, world.partner_a.pk])
    response = alice.post(url)
    assert response.status_code == 200
    assert "Pagrindinė organizacija negali būti pašalinta" in response.text
    assert Partner.objects.filter(pk=world.partner_a.pk).exists()


def test_activity_add_with_audience_checkboxes(alice, world):
    response = alice.post(
        reverse("projects:activity_add", args=[world.project.code]),
        {
            "kind": "seminar",
            "title": "Strateginis planavimas",
            "audience_position_categories": ["head", "deputy"],
            "audience_organisation_types": ["library", "museum"],
            "audience_counties": ["utenos"],
            "academic_hours": "16",
            "completion_percent": "80",
            "learning_outcomes": "Parengti strategiją",
            "position": "2",
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Strateginis planavimas")
    assert activity.audience_position_categories == ["head", "deputy"]
    assert activity.audience_counties == ["utenos"]
    assert activity.academic_hours == Decimal("16")


def test_activity_refuses_a_threshold_above_100(alice, world):
    before = Activity.objects.count()
    response = alice.post(
        reverse("projects:activity_add", args=[world.project.code]),
        {
            "kind": "seminar",
            "title": "X",
            "academic_hours": "4",
            "completion_percent": "150",
            "position": "1",
        },
    )
    assert response.status_code == 200
    assert Activity.objects.count() == before


def _cohort_data(world, **changes):
    venue = VenueFactory(project=world.project)
    data = {
        "name": "5 grupė",
        "venue": venue.pk,
        "start_date": "2014-06-02",
        "end_date": "2014-06-03",
        "capacity": "20",
        "trainers": [world.person_a.pk],
        "notes": "",
    }
    data.update(changes)
    return data


def test_cohort_add_with_venue_and_trainers(alice, world):
    url = reverse("projects:cohort_add", args=[world.project.code, world.activity.pk])
    response = alice.post(url, _cohort_data(world))
    cohort = Cohort.objects.get(name="5 grupė")
    assert response.status_code == 302
    assert list(cohort.trainers.all()) == [world.person_a]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"start_date": "2014-12-01", "end_date": "2014-12-02"}, "Grupė turi vykti projekto"),
        ({"start_date": "2014-02-20", "end_date": "2014-03-02"}, "Grupė turi vykti projekto"),
        ({"end_date": "2014-06-01"}, "Grupė negali baigtis anksčiau, nei prasideda."),
    ],
)
def test_cohort_refuses_dates_that_cannot_be(alice, world, changes, message):
    before = Cohort.objects.count()
    url = reverse("projects:cohort_add", args=[world.project.code, world.activity.pk])
    response = alice.post(url, _cohort_data(world, **changes))
    assert message in response.text
    assert Cohort.objects.count() == before


def test_cohort_trainers_come_only_from_the_projects_people(alice, world):
    from tests.factories import PersonFactory

    stranger = PersonFactory()
    url = reverse("projects:cohort_add", args=[world.project.code, world.activity.pk])
    before = Cohort.objects.count()
    response = alice.post(url, _cohort_data(world, trainers=[stranger.pk]))
    assert response.status_code == 200
    assert Cohort.objects.count() == before


def test_cohort_edit(alice, world):
    url = reverse("projects:cohort_edit", args=[world.project.code, world.cohort.pk])
    data = _cohort_data(world, name="Pervadinta", start_date="2014-04-07", end_date="2014-04-08")
    assert alice.post(url, data).status_code == 302
    world.cohort.refresh_from_db()
    assert world.cohort.name == "Pervadinta"


def test_session_add_counts_academic_hours_from_the_times(alice, world):
    url = reverse("projects:session_add", args=[world.project.code, world.cohort.pk])
    response = alice.post(
        url,
        {
            "title": "Antra diena",
            "starts_at": "2014-04-08T09:00",
            "ends_at": "2014-04-08T15:00",
            "academic_hours": "",
        },
    )
    assert response.status_code == 302
    session = Session.objects.get(title="Antra diena")
    assert session.academic_hours == Decimal("8.0")


@pytest.mark.parametrize(
    ("starts", "ends", "message"),
    [
        ("2014-04-08T15:00", "2014-04-08T09:00", "Užsiėmimas turi baigtis vėliau, nei prasideda."),
        ("2014-04-10T09:00", "2014-04-10T15:00", "Užsiėmimas turi vykti grupės datomis"),
    ],
)
def test_session_refuses_times_that_cannot_be(alice, world, starts, ends, message):
    before = Session.objects.count()
    url = reverse("projects:session_add", args=[world.project.code, world.cohort.pk])
    response = alice.post(url, {"starts_at": starts, "ends_at": ends, "academic_hours": "4"})
    assert message in response.text
    assert Session.objects.count() == before


def test_session_edit_and_delete(alice, world):
    code, cohort = world.project.code, world.cohort
    url = reverse("projects:session_edit", args=[code, cohort.pk, world.session.pk])
    response = alice.post(
        url,
        {
            "title": "Pakeista",
            "starts_at": "2014-04-07T10:00",
            "ends_at": "2014-04-07T16:00",
            "academic_hours": "8",
        },
    )
    assert response.status_code == 302
    world.session.refresh_from_db()
    assert world.session.title == "Pakeista"
    alice.post(reverse("projects:session_delete", args=[code, cohort.pk, world.session.pk]))
    assert not Session.objects.filter(pk=world.session.pk).exists()
    assert AuditEntry.objects.filter(action="session.delete", project=world.project).exists()


def test_session_of_another_cohort_is_404(alice, world):
    from tests.factories import CohortFactory, SessionFactory

    other = SessionFactory(cohort=CohortFactory(activity=world.activity))
    url = reverse("projects:session_edit", args=[world.project.code, world.cohort.pk, other.pk])
    assert alice.get(url).status_code == 404


def test_venue_add_and_duplicate_name(alice, world):
    url = reverse("projects:venue_add", args=[world.project.code])
    data = {"name": "Konferencijų salė", "city": "Utena", "country": "Lietuva"}
    assert alice.post(url, data).status_code == 302
    response = alice.post(url, data)
    assert "Projektas jau turi vietą tokiu pavadinimu." in response.text
    assert Venue.objects.filter(project=world.project, name="Konferencijų salė").count() == 1


def test_venue_of_another_project_is_404(alice, world):
    venue = VenueFactory(project=world.other_project)
    url = reverse("projects:venue_edit", args=[world.project.code, venue.pk])
    assert alice.get(url).status_code == 404


def test_new_project_offers_only_my_organisations_as_lead(client, world):
    from tests.factories import PersonFactory, UserFactory, make_coordinator

    newcomer = UserFactory()
    employer = OrganisationFactory(name="Visagino kultūros centras")
    PersonFactory(user=newcomer, organisation=employer)
    make_coordinator(employer, newcomer)
    client.force_login(newcomer)
    page = client.get(reverse("projects:create"))
    assert "Visagino kultūros centras" in page.text
    assert world.lead.name not in page.text
    assert world.partner_b.organisation.name not in page.text

    before = Project.objects.count()
    client.post(reverse("projects:create"), _project_data(world))  # world.lead is not offered
    assert Project.objects.count() == before
