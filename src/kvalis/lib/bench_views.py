"""The baseline of the load benchmark (benchmarks/bench_load.py): the least a page can cost
here, through the same middleware, on the same gunicorn. Routed only when the environment says
KVALIS_BENCH_BASELINE=1 (see kvalis/urls.py), never in production."""

from django.http import HttpRequest, HttpResponse


def minimal_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("<!doctype html><title>Kvalis</title><p>ok</p>")
