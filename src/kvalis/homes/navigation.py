"""The navigation bar: what the signed-in user may use, computed once per request.

`navigation` is a template context processor (settings.TEMPLATES); the value is lazy, so a
response that never renders the bar (a PDF, a JSON answer) never asks the database.
"""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kvalis.homes.selectors import NO_PLACES, Places, user_places


def request_places(request: HttpRequest) -> Places:
    """The user's places, read once per request (the home page and the bar share them)."""
    places = getattr(request, "_kvalis_places", None)
    if places is None:
        user = getattr(request, "user", None)
        places = user_places(user) if user is not None else NO_PLACES
        request._kvalis_places = places
    return places


def navigation(request: HttpRequest) -> dict:
    return {"nav_places": SimpleLazyObject(lambda: request_places(request))}
