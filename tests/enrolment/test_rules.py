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
        "Ši veikla skirta įstaigų vadovams ir vadovų pavaduotojams. "
        "Jūsų pareigų kategorija (specialistas) tarp jų nepatenka."
    )
    assert reasons[1] == (
        "Ši veikla skirta muziejų darbuotojams. Kauno biblioteka yra kito tipo įstaiga "
        "(biblioteka)."
    )
    assert reasons[2] == (
        "Ši veikla skirta įstaigoms, esančioms Utenos apskrityje. Kauno biblioteka yra kitoje "
        "apskrityje."
    )


def test_several_types_and_counties_are_listed_in_their_case(db):
    activity = ActivityFactory(
        audience_organisation_types=["museum", "library"],
        audience_counties=["utenos", "vilniaus"],
    )
    centre = OrganisationFactory(
        name="Kauno kultūros centras", type="culture_centre", municipality="kauno-m"
    )
    reasons = ineligibility_reasons(activity, position_category="head", organisation=centre)
    assert reasons[0].startswith("Ši veikla skirta muziejų ir bibliotekų darbuotojams.")
    assert reasons[1].startswith(
        "Ši veikla skirta įstaigoms, esančioms Utenos apskrityje arba Vilniaus apskrityje."
    )


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
