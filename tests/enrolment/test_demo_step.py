from kvalis.demo.steps import STEPS
from kvalis.enrolment.models import Enrolment, EnrolmentStatus, Quota


def test_enrolment_step_runs_after_core():
    assert STEPS.index("enrolment") == STEPS.index("core") + 1


def test_demo_enrols_the_seed_case_once(db):
    from kvalis.demo.steps import core, enrolment

    core.load()
    first = enrolment.load()
    assert first["persons confirmed"] >= 165
    assert first["waiting"] > 0 and first["cancelled"] > 0
    assert Quota.objects.exists()
    assert Enrolment.objects.exclude(partner=None).filter(status="confirmed").count() > 20
    assert Enrolment.objects.filter(enrolled_by__email="partner.moletai@demo.kvalis.lt").exists()
    participant = Enrolment.objects.get(person__email="participant@demo.kvalis.lt")
    assert participant.status == EnrolmentStatus.CONFIRMED
    assert participant.cohort.activity.position == 1
    assert not Enrolment.objects.filter(cohort__activity__kind="study_visit").exists()
    # Heads take modules 2 and 3; specialists only module 1.
    both = (
        Enrolment.objects.filter(cohort__activity__position=2, status="confirmed")
        .filter(person__enrolments__cohort__activity__position=3)
        .distinct()
    )
    assert both.exists()
    assert not Enrolment.objects.filter(
        cohort__activity__position=1, person__position_category="head"
    ).exists()
    count = Enrolment.objects.count()
    assert enrolment.load() == first
    assert Enrolment.objects.count() == count
