"""The home page: one section per place the user has (see `kvalis.homes.selectors`)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kvalis.homes.navigation import request_places
from kvalis.homes.selectors import home_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    places = request_places(request)
    if places.only_participant:
        # "My trainings" is their whole home: it sums up sessions, hours, certificates, surveys.
        return redirect("enrolment:my_trainings")
    return render(request, "homes/home.html", {"home": home_for(request.user, places)})
