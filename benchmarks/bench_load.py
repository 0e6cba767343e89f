"""Throughput over HTTP: gunicorn (4 sync workers, DEBUG off) with the demo, against a minimal
page served by the same server in the same run.

The database is the one `run.py` made for this benchmark (a temporary SQLite file, or a test
database beside the one DATABASE_URL names, so PostgreSQL when it points there); the demo is
loaded into it and gunicorn is started on a free port with KVALIS_BENCH_BASELINE=1, which adds
the minimal page `/_bench/minimal/`. The load generator is a small asyncio HTTP/1.0 client
(stdlib only): CONCURRENCY clients each send one request after another for SECONDS; signed-in
pages carry a session cookie made once per client. Per page: requests per second, p50, p95 and
the share of the minimal page's requests per second. With REPEAT > 1, the medians of the runs.

Then 50 applicants for the last 3 seats of a cohort that places confirmed applicants
automatically: each opens the form first, then the 50 send it at once; then 50 concurrent
confirmations (the links of the e-mails, taken from the database). Exactly 3 must be confirmed,
none a server error, p95 ≤ 1 s for the applications and for the confirmations. The e-mails are
sent as in production: the requests write them to the outbox and `kvalis db_worker`, started
beside gunicorn on the same machine, sends them (to the console backend).

    KVALIS_LOAD_SECONDS=8 KVALIS_LOAD_REPEAT=3 .venv/bin/python benchmarks/run.py bench_load

(KVALIS_LOAD_PAGES=people,dashboard runs only those pages beside the baseline.)

Targets (issue 16, share of the minimal page at c=10): verification ≥ 0.40, catalogue and public
project page ≥ 0.25, project overview and people list ≥ 0.12, dashboard and indicators ≥ 0.15.
"""

import asyncio
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(os.environ.get("KVALIS_LOAD_SECONDS", "8"))
REPEAT = int(os.environ.get("KVALIS_LOAD_REPEAT", "3"))
WORKERS = 4
CODE = "UTENA-KT-2014"
BASELINE = "/_bench/minimal/"
APPLICANTS = 50
SEATS = 3


# The load generator.


async def request(port: int, method: str, path: str, *, cookie: str = "", body: str = ""):
    """One HTTP/1.0 request (gunicorn's sync workers close the connection after each answer);
    returns (status, headers, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"{method} {path} HTTP/1.0", "Host: 127.0.0.1", "Accept-Language: lt"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if body:
        lines += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body.encode())}",
        ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n" + body).encode())
    await writer.drain()
    raw = await reader.read()
    writer.close()
    head, _, content = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(h.split(": ", 1)) for h in header_lines if ": " in h]
    return int(status_line.split()[1]), headers, content


async def drive(port: int, path: str, cookies: list[str], seconds: float) -> dict:
    """len(cookies) clients, each requesting `path` again and again for `seconds`."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(cookie: str) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, _headers, _body = await request(port, "GET", path, cookie=cookie)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(client(cookie) for cookie in cookies))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "errors": errors,
    }


# The server.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}"
        f":{settings['PORT'] or 5432}/{settings['NAME']}"
    )


# One key for the server and for the sessions made here (a session is bound to the key).
SECRET_KEY = secrets.token_urlsafe(48)


def server_environment(port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "KVALIS_BENCH_BASELINE": "1",
        # Tasks (the e-mails) go to the database queue and `kvalis db_worker`, as in production.
        "TASKS_IMMEDIATE": "0",
        # The application throttle must count across the 4 workers, as in production.
        "CACHE_BACKEND": "database",
    }


def start_server(port: int) -> tuple[subprocess.Popen, subprocess.Popen]:
    """gunicorn and the task worker, started with the same environment."""
    env = server_environment(port)
    bin_dir = Path(sys.executable).parent
    for command in (["createcachetable"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([bin_dir / "kvalis", *command], env=env, check=True, cwd=ROOT)
    worker = subprocess.Popen(
        [bin_dir / "kvalis", "db_worker", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = subprocess.Popen(
        [
            bin_dir / "gunicorn",
            "kvalis.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
        ],
        env=env,
        cwd=ROOT,
        # The e-mails of the applicants (console backend) and the tasks' log lines.
        stdout=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            status, _h, _b = asyncio.run(request(port, "GET", BASELINE))
            if status == 200:
                return server, worker
        except OSError:
            pass
        time.sleep(0.1)
    server.terminate()
    worker.terminate()
    raise RuntimeError("gunicorn did not answer")


# The data.


def session_cookies(email: str, count: int) -> list[str]:
    """A session per client, made as a sign-in would make it (the database session backend)."""
    from django.conf import settings
    from django.test import Client, override_settings

    cookies = []
    for _ in range(count):
        client = Client()
        with override_settings(SECRET_KEY=SECRET_KEY):
            client.force_login(_user(email))
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
    return cookies


def _user(email: str):
    from kvalis.accounts.models import User

    return User.objects.get(email=email)


def last_seats_cohort():
    """A cohort of the demo project for anyone, with SEATS seats, that places applicants."""
    from django.utils import timezone

    from kvalis.enrolment.models import CohortRegistration
    from kvalis.projects.models import Activity, Cohort, Project

    project = Project.objects.get(code=CODE)
    activity = Activity.objects.create(
        project=project, kind="seminar", title="Paskutinės vietos", position=99
    )
    start = timezone.localdate() + timedelta(days=30)
    cohort = Cohort.objects.create(
        activity=activity, name="Greitoji grupė", start_date=start, end_date=start, capacity=SEATS
    )
    CohortRegistration.objects.create(cohort=cohort, is_open=True, auto_approve=True)
    return cohort


async def apply_and_confirm(port: int, cohort, organisation_pk: int) -> dict:
    from asgiref.sync import sync_to_async
    from django.db import connection

    from kvalis.enrolment.models import EnrolmentConfirmation

    path = f"/catalogue/{cohort.public_id}/"
    errors = 0

    async def open_form(path: str) -> tuple[str, str]:
        """The form's CSRF token and the cookies that came with it."""
        _status, headers, content = await request(port, "GET", path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
        cookie = "; ".join(
            value.split(";")[0] for name, value in headers if name.lower() == "set-cookie"
        )
        return token.decode(), cookie

    async def send_all(path_of, fields_of, count: int) -> tuple[list[int], list[float]]:
        """`count` people open their form, then all send it at once: statuses and latencies
        of the POSTs."""
        nonlocal errors
        forms = await asyncio.gather(*(open_form(path_of(n)) for n in range(count)))
        latencies: list[float] = []

        async def post(n: int) -> int:
            nonlocal errors
            token, cookie = forms[n]
            body = urlencode({"csrfmiddlewaretoken": token, **fields_of(n)})
            started = time.perf_counter()
            status, _h, _c = await request(port, "POST", path_of(n), cookie=cookie, body=body)
            latencies.append(time.perf_counter() - started)
            if status >= 500:
                errors += 1
            return status

        statuses = await asyncio.gather(*(post(n) for n in range(count)))
        latencies.sort()
        return statuses, latencies

    applications = [
        {
            "first_name": "Dalia",
            "last_name": f"Šimkutė{chr(ord('a') + n % 26)}{n}",
            "email": f"skubi.{n}@example.lt",
            "organisation": organisation_pk,
            "position": "bibliotekininkė",
            "position_category": "specialist",
            "consent": "on",
        }
        for n in range(APPLICANTS)
    ]
    statuses, applied = await send_all(lambda n: path, lambda n: applications[n], APPLICANTS)

    def confirmation_tokens() -> list[str]:
        # Read in asgiref's worker thread: its connection is closed, or the test database
        # could not be dropped afterwards.
        try:
            return list(
                EnrolmentConfirmation.objects.filter(enrolment__cohort=cohort).values_list(
                    "token", flat=True
                )
            )
        finally:
            connection.close()

    tokens = await sync_to_async(confirmation_tokens)()
    confirms, confirmed = await send_all(
        lambda n: f"/enrolment/confirm/{tokens[n]}/", lambda n: {}, len(tokens)
    )
    return {
        "applications": len(tokens),
        "statuses": sorted(set(statuses) | set(confirms)),
        "errors": errors,
        "p95_apply": applied[int(len(applied) * 0.95)] * 1000,
        "p95_confirm": confirmed[int(len(confirmed) * 0.95)] * 1000 if confirmed else 0,
    }


def wait_for_other_sessions(seconds: float = 15) -> None:
    """On PostgreSQL, wait until the stopped processes' sessions are gone: the test database
    cannot be dropped while another session uses it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.2)


def last_outbox_pk() -> int:
    from kvalis.outbox.models import OutboxMessage

    return OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def wait_for_outbox(after_pk: int, seconds: float = 60) -> int:
    """Wait (at most `seconds`) until the worker has sent the e-mails written after `after_pk`;
    how many are left."""
    from kvalis.outbox.models import OutboxMessage

    deadline = time.monotonic() + seconds
    written = OutboxMessage.objects.filter(pk__gt=after_pk)
    while (left := written.filter(sent_at=None).count()) and (time.monotonic() < deadline):
        time.sleep(0.5)
    return left


def run() -> list[dict]:
    from io import StringIO

    from django.core.management import call_command

    from kvalis.certificates.models import Certificate
    from kvalis.demo.steps.core import LOGINS
    from kvalis.enrolment.models import Enrolment
    from kvalis.projects.models import Project

    call_command("demo", stdout=StringIO())
    project = Project.objects.get(code=CODE)
    certificate = (
        Certificate.objects.filter(project=project, revoked_at=None).order_by("pk").first()
    )
    cookies10 = session_cookies(LOGINS["coordinator"][0], 10)
    pages = [
        ("minimal page", BASELINE, False, None),
        ("verify page", f"/verify/{certificate.verification_code}/", False, 0.40),
        ("catalogue", "/catalogue/", False, 0.25),
        ("public project page", f"/p/{CODE}/", False, 0.25),
        ("project overview", f"/projects/{CODE}/", True, 0.12),
        ("people list", f"/projects/{CODE}/people/", True, 0.12),
        ("report dashboard", f"/projects/{CODE}/reports/", True, 0.15),
        ("JSON indicators", f"/api/projects/{CODE}/indicators/", True, 0.15),
    ]
    # KVALIS_LOAD_PAGES=people,dashboard: only the pages whose label contains one of the words
    # (and the minimal page, the baseline), for working on one page; `make bench` runs them all.
    only = [word for word in os.environ.get("KVALIS_LOAD_PAGES", "").split(",") if word]
    if only:
        pages = [p for p in pages if p[3] is None or any(word in p[0] for word in only)]
    at_50 = {"minimal page", "verify page", "catalogue"}
    port = free_port()
    server, worker = start_server(port)
    cpu_before = os.times()
    try:
        # Each worker imports, compiles templates and fills caches on its first requests.
        for _label, path, signed_in, _target in pages:
            asyncio.run(drive(port, path, cookies10 if signed_in else [""] * 10, 1))
        runs: dict[tuple[str, int], list[dict]] = {}
        for _ in range(REPEAT):
            for label, path, signed_in, _target in pages:
                for clients in (10, 50) if label in at_50 else (10,):
                    cookies = (cookies10 * 5)[:clients] if signed_in else [""] * clients
                    figures = asyncio.run(drive(port, path, cookies, SECONDS))
                    runs.setdefault((label, clients), []).append(figures)
        outbox_before = last_outbox_pk()
        race = asyncio.run(apply_and_confirm(port, last_seats_cohort(), project.lead_id))
        race["unsent"] = wait_for_outbox(outbox_before)
    finally:
        server.send_signal(signal.SIGTERM)
        worker.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        worker.wait(timeout=30)
        wait_for_other_sessions()
    cpu = os.times()
    children_cpu = (cpu.children_user + cpu.children_system) - (
        cpu_before.children_user + cpu_before.children_system
    )

    def median(label: str, clients: int, key: str) -> float:
        return statistics.median(run[key] for run in runs[(label, clients)])

    baseline = {clients: median("minimal page", clients, "rps") for clients in (10, 50)}
    results = []
    for label, _path, _signed_in, target in pages:
        for clients in (10, 50) if label in at_50 else (10,):
            rps = median(label, clients, "rps")
            share = rps / baseline[clients]
            errors = sum(run["errors"] for run in runs[(label, clients)])
            checked = target is not None and clients == 10
            results.append(
                {
                    "name": f"load c={clients}: {label}, share of minimal",
                    "value": round(share, 3),
                    "unit": "",
                    "target": target if checked else 0,
                    "meets": (share >= target if checked else True) and not errors,
                    "detail": f"{rps:.0f} req/s, p50 {median(label, clients, 'p50'):.0f} ms, "
                    f"p95 {median(label, clients, 'p95'):.0f} ms, {errors} non-200; "
                    f"{WORKERS} workers, {SECONDS:.0f} s × {REPEAT}",
                }
            )
    cohort_confirmed = Enrolment.objects.filter(
        cohort__activity__title="Paskutinės vietos", status="confirmed"
    ).count()
    results.append(
        {
            "name": f"load: {APPLICANTS} applicants for the last {SEATS} seats",
            "value": cohort_confirmed,
            "unit": "confirmed",
            "target": SEATS,
            "meets": cohort_confirmed == SEATS
            and not race["errors"]
            and not race["unsent"]
            and max(race["p95_apply"], race["p95_confirm"]) <= 1000,
            "detail": f"{race['applications']} applications, {race['errors']} server errors, "
            f"p95 {race['p95_apply']:.0f} ms to apply, {race['p95_confirm']:.0f} ms to confirm "
            f"(target ≤ 1000), statuses {race['statuses']}, "
            f"{race['unsent']} e-mails left unsent by the worker; "
            f"server CPU {children_cpu:.0f} s for the whole benchmark",
        }
    )
    return results
