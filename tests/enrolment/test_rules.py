"""Eligibility from the activity's audience; empty lists mean anyone."""

from kvalis.enrolment.rules import ineligibility_reasons
from tests.factories import ActivityFactory, OrganisationFactory


def test_empty_audience_means_anyone(db):
    activity = ActivityFactory()
    assert ineligibility_reasons(activity, position_category="other", organisation=None) == []


def test_each_audience_rule_gives_its_own_lithuanian_reason(db):
    activity = ActivityFactory(
        audience_position_categories=["head", "deputy"],
        audience_organisation_types=["museum"],
        audience_counties=["utenos"],
    )
    kaunas_library = OrganisationFactory(name="Kauno biblioteka", municipality="kauno-m")
    reasons = ineligibility_reasons(
        activity, position_category="specialist", organisation=kaunas_library
    )
    assert len(reasons) == 3
    assert reasons[0] == (
        "Ši veikla skirta: įstaigos vadovas, vadovo pavaduotojas. "
        "Jūsų pareigų kategorija (specialistas) tarp jų nepatenka."
    )
    assert "„Kauno biblioteka“ yra kito tipo (biblioteka)" in reasons[1]
    assert "Utenos apskritis" in reasons[2]


def test_institution_rules_need_an_employer(db):
    activity = ActivityFactory(audience_counties=["utenos"])
    reasons = ineligibility_reasons(activity, position_category="head", organisation=None)
    assert reasons == [
        "Ši veikla skirta tam tikrų įstaigų darbuotojams: nurodykite savo darbovietę."
    ]


def test_matching_person_is_eligible(db):
    activity = ActivityFactory(
        audience_position_categories=["specialist"],
        audience_organisation_types=["library"],
        audience_counties=["utenos"],
    )
    library = OrganisationFactory(municipality="moletu-r")
    assert (
        ineligibility_reasons(activity, position_category="specialist", organisation=library) == []
    )
