"""How the URL × role test fills each URL kwarg: name -> function(world) -> value.

Every value must point to an object inside `world.project`, so that an outsider who requests it
must get 404. Add an entry for every kwarg a new URL introduces.
"""

URL_KWARGS = {
    "code": lambda w: w.project.code,
    "cohort_pk": lambda w: w.cohort.pk,
    "session_pk": lambda w: w.session.pk,
    "activity_pk": lambda w: w.activity.pk,
    "person_pk": lambda w: w.person_a.pk,
    "partner_pk": lambda w: w.partner_b.pk,
    "venue_pk": lambda w: _venue(w).pk,
    "membership_pk": lambda w: w.project.memberships.get(user=w.bob).pk,
}

# URL names that anyone may open without signing in (they answer 200 or redirect, never 404
# for the values above).
PUBLIC_URLS = {
    "home",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "projects:public",
}


def _reset_uid(world) -> str:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    return urlsafe_base64_encode(force_bytes(world.alice.pk))


def _reset_token(world) -> str:
    from django.contrib.auth.tokens import default_token_generator

    return default_token_generator.make_token(world.alice)


# Where a kwarg name means something else in one URL than in URL_KWARGS (a generic `token`),
# give that URL its own values: URL name -> {kwarg: function(world)}. These win over URL_KWARGS.
URL_KWARGS_BY_NAME = {
    "accounts:password_reset_confirm": {"uidb64": _reset_uid, "token": _reset_token},
}


def _venue(world):
    from tests.factories import VenueFactory

    return world.project.venues.first() or VenueFactory(project=world.project)
