"""Reads of the enrolment app that are more than one query: seats, rosters, catalogue."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from kvalis.enrolment.models import (
    CohortRegistration,
    Enrolment,
    EnrolmentStatus,
    Quota,
)
from kvalis.projects.models import Cohort, Session

# Statuses that count against a partner's quota when it nominates.
QUOTA_USING = (
    EnrolmentStatus.UNCONFIRMED,
    EnrolmentStatus.APPLIED,
    EnrolmentStatus.CONFIRMED,
    EnrolmentStatus.WAITING,
)


@dataclass
class Seats:
    """The seats of one cohort on one day.

    A partner's quota reserves seats until its release date: those seats can be taken only by
    the partner's nominees. Everyone else shares what is left of the capacity.
    """

    capacity: int
    confirmed: int
    waiting: int = 0
    confirmed_by_partner: dict[int, int] = field(default_factory=dict)
    reserved_quota: dict[int, int] = field(default_factory=dict)

    def unused_reservation(self, partner_id: int | None) -> int:
        if partner_id is None or partner_id not in self.reserved_quota:
            return 0
        return max(
            0, self.reserved_quota[partner_id] - self.confirmed_by_partner.get(partner_id, 0)
        )

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.confirmed)

    @property
    def general_free(self) -> int:
        reserved = sum(self.unused_reservation(p) for p in self.reserved_quota)
        return max(0, min(self.free, self.capacity - self.confirmed - reserved))

    def free_for(self, partner_id: int | None) -> int:
        """Seats a nominee of `partner_id` (or anyone, for None) could take now."""
        return min(self.free, self.general_free + self.unused_reservation(partner_id))

    def take(self, partner_id: int | None) -> None:
        self.confirmed += 1
        if partner_id is not None:
            self.confirmed_by_partner[partner_id] = self.confirmed_by_partner.get(partner_id, 0) + 1


def cohort_seats(cohort: Cohort, *, today: date | None = None) -> Seats:
    return seats_of_cohorts([cohort], today=today)[cohort.pk]


def seats_of_cohorts(cohorts: list[Cohort], *, today: date | None = None) -> dict[int, Seats]:
    """The seats of each cohort, by cohort id, in two queries however many cohorts."""
    today = today or timezone.localdate()
    seats = {
        cohort.pk: Seats(capacity=cohort.capacity, confirmed=0, confirmed_by_partner={})
        for cohort in cohorts
    }
    rows = (
        Enrolment.objects.filter(
            cohort__in=seats, status__in=[EnrolmentStatus.CONFIRMED, EnrolmentStatus.WAITING]
        )
        .values("cohort_id", "status", "partner_id")
        .annotate(n=Count("id"))
    )
    for row in rows:
        counted = seats[row["cohort_id"]]
        if row["status"] == EnrolmentStatus.CONFIRMED:
            counted.confirmed += row["n"]
            if row["partner_id"] is not None:
                by_partner = counted.confirmed_by_partner
                by_partner[row["partner_id"]] = by_partner.get(row["partner_id"], 0) + row["n"]
        else:
            counted.waiting += row["n"]
    for quota in Quota.objects.filter(cohort__in=seats):
        if quota.is_reserved(today):
            seats[quota.cohort_id].reserved_quota[quota.partner_id] = quota.seats
    return seats


def quota_used(cohort: Cohort, partner_id: int) -> int:
    return Enrolment.objects.filter(
        cohort=cohort, partner_id=partner_id, status__in=QUOTA_USING
    ).count()


def registration_of(cohort: Cohort) -> CohortRegistration:
    """The cohort's registration settings, or the defaults (unsaved) when none were set."""
    try:
        return cohort.registration
    except CohortRegistration.DoesNotExist:
        return CohortRegistration(cohort=cohort)


def cohort_has_ended(cohort: Cohort, *, now: datetime | None = None) -> bool:
    """Whether the cohort is over: its last session has ended, or, without sessions, its end
    date is past. What happened in it stays as recorded (see enrolment_cancel)."""
    now = now or timezone.now()
    last = Session.objects.filter(cohort=cohort).aggregate(last=Max("ends_at"))["last"]
    if last is not None:
        return last <= now
    return cohort.end_date < timezone.localdate(now)


def open_cohorts(*, today: date | None = None) -> QuerySet[Cohort]:
    """Cohorts of public projects that take applications today."""
    today = today or timezone.localdate()
    return (
        Cohort.objects.filter(
            activity__project__is_public=True,
            start_date__gte=today,
        )
        .exclude(registration__is_open=False)
        .exclude(registration__closes_on__lt=today)
        .select_related("activity__project__lead", "venue__organisation", "registration")
        .order_by("start_date", "activity__position", "name")
    )


def roster(cohort: Cohort) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("person", "partner__organisation", "organisation", "note")
        # Lithuanian order by the people's stored sort key (no collation call per row).
        .order_by("person__sort_key", "id")
    )


def my_enrolments(person) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(person=person)
        .select_related("cohort__activity__project", "cohort__venue")
        .prefetch_related(
            Prefetch("cohort__sessions", queryset=Session.objects.select_related("venue"))
        )
        .order_by("-cohort__start_date", "id")
    )


@dataclass
class PartnerQuota:
    """A partner's quota in one cohort as its coordinator sees it: the seats, who is in them,
    and which of its people wait for a seat."""

    quota: Quota | None
    used: int  # nominations holding or awaiting a seat of the quota (QUOTA_USING)
    reserved: bool  # before the release date: the unused seats are the partner's alone
    members: list[Enrolment]
    waiting: list[Enrolment]  # the partner's people on the cohort's waiting list

    @property
    def free(self) -> int:
        if self.quota is None or not self.reserved:
            return 0
        return max(0, self.quota.seats - self.used)


def partner_quota(cohort: Cohort, partner, *, people: QuerySet, today: date | None = None):
    """`partner`'s quota in `cohort`; `people` are those the partner may see (its own staff and
    that of the institutions it nominates for): nobody else's name is shown."""
    today = today or timezone.localdate()
    quota = Quota.objects.filter(cohort=cohort, partner=partner).first()
    members = list(
        roster(cohort)
        .filter(partner=partner, status__in=QUOTA_USING)
        .select_related("person__organisation")
    )
    waiting = list(
        Enrolment.objects.filter(
            cohort=cohort,
            status=EnrolmentStatus.WAITING,
            person__in=people.values("pk"),
        )
        .filter(Q(partner__isnull=True) | Q(partner=partner))
        .select_related("person__organisation")
        .order_by("waiting_position", "id")
    )
    return PartnerQuota(
        quota=quota,
        used=len(members),
        reserved=quota is not None and quota.is_reserved(today),
        members=members,
        waiting=waiting,
    )
