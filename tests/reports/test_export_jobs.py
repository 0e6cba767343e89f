"""Downloads prepared in the background: the final report and large person-level exports are
asked for on a page, prepared by the worker with visible progress, downloaded from the job's
page by the one who asked, kept for a limited time and then pruned."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from kvalis.reports import services, views
from kvalis.reports.models import ExportJob
from tests.factories import AttendanceFactory, EnrolmentFactory, MembershipFactory, UserFactory


@pytest.fixture
def attended(world):
    for person in (world.person_a, world.person_b):
        AttendanceFactory(
            enrolment=EnrolmentFactory(person=person, cohort=world.cohort), session=world.session
        )
    return world


@pytest.fixture
def large(monkeypatch):
    """Every export counts as large, so that the small world takes the background path."""
    monkeypatch.setattr(views, "DIRECT_MAX_ROWS", 0)


def export_url(world, kind="participants", fmt="csv"):
    return reverse(f"reports:export_{kind}_{fmt}", args=[world.project.code])


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def request_export(client, world, capture, path=None):
    path = path or export_url(world)
    with capture(execute=True):
        response = client.post(path)
    assert response.status_code == 302
    return ExportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_a_large_export_shows_a_prepare_page_not_the_file(client, attended, large):
    client.force_login(attended.alice)
    response = client.get(export_url(attended))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Paruošti failą" in response.text
    assert not ExportJob.objects.exists()  # a GET asks nothing of the worker


def test_a_small_export_is_answered_at_once(client, attended):
    client.force_login(attended.alice)
    response = client.get(export_url(attended))
    assert response["Content-Type"].startswith("text/csv")
    assert not ExportJob.objects.exists()


def test_coordinator_prepares_an_export_and_downloads_it_from_the_job_page(
    client, attended, large, django_capture_on_commit_callbacks
):
    client.force_login(attended.alice)
    job = request_export(client, attended, django_capture_on_commit_callbacks)
    assert job.status == "done" and job.progress == 100  # the worker (run at once) prepared it
    assert job.requested_by == attended.alice and job.project == attended.project
    assert timezone.now() + timedelta(hours=23) < job.expires_at
    page = client.get(reverse("reports:job", args=[attended.project.code, job.pk]))
    assert "Failas paruoštas" in page.text
    download = client.get(reverse("reports:job_download", args=[attended.project.code, job.pk]))
    assert download.status_code == 200
    text = content_of(download).decode("utf-8-sig")
    assert attended.person_a.last_name in text and attended.person_b.last_name in text
    dashboard = client.get(reverse("reports:dashboard", args=[attended.project.code]))
    assert job.filename in dashboard.text  # listed among the files prepared for alice


def test_the_xlsx_export_is_streamed_with_numbers_as_numbers(
    client, attended, large, django_capture_on_commit_callbacks
):
    from openpyxl import load_workbook

    client.force_login(attended.alice)
    job = request_export(
        client, attended, django_capture_on_commit_callbacks, export_url(attended, fmt="xlsx")
    )
    download = client.get(reverse("reports:job_download", args=[attended.project.code, job.pk]))
    sheet = load_workbook(io.BytesIO(content_of(download))).active
    rows = list(sheet.values)
    assert rows[0][0] == "Pavardė"
    assert {row[0] for row in rows[1:]} == {"Jonaitė", "Petraitė"}
    assert all(isinstance(row[10], (int, float)) for row in rows[1:])


def test_progress_page_polls_while_waiting_and_reloads_when_done(client, attended, large):
    client.force_login(attended.alice)
    client.post(export_url(attended))  # not run: the commit never happens in this test
    job = ExportJob.objects.get()
    progress = reverse("reports:job_progress", args=[attended.project.code, job.pk])
    waiting = client.get(progress, headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in waiting.text
    assert "HX-Refresh" not in waiting
    services.export_job_run(job_id=job.pk)
    done = client.get(progress, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_a_double_click_queues_one_job(client, attended, large):
    client.force_login(attended.alice)
    client.post(export_url(attended))
    client.post(export_url(attended))
    assert ExportJob.objects.count() == 1


def test_partner_coordinators_file_holds_only_their_people(
    client, attended, large, django_capture_on_commit_callbacks
):
    client.force_login(attended.bob)
    job = request_export(client, attended, django_capture_on_commit_callbacks)
    download = client.get(reverse("reports:job_download", args=[attended.project.code, job.pk]))
    text = content_of(download).decode("utf-8-sig")
    assert attended.person_b.last_name in text
    assert attended.person_a.last_name not in text


def test_another_users_job_answers_404(client, attended, large, django_capture_on_commit_callbacks):
    client.force_login(attended.alice)
    job = request_export(client, attended, django_capture_on_commit_callbacks)
    colleague = UserFactory(email="kolege@example.lt")
    MembershipFactory(project=attended.project, user=colleague, role="coordinator")
    code = attended.project.code
    for user in (attended.bob, colleague, attended.charlie):
        client.force_login(user)
        for name in ("reports:job", "reports:job_progress", "reports:job_download"):
            assert client.get(reverse(name, args=[code, job.pk])).status_code == 404, name
        assert client.post(reverse("reports:job_retry", args=[code, job.pk])).status_code == 404
    # Nor through another project's address.
    client.force_login(attended.charlie)
    forged = reverse("reports:job_download", args=[attended.other_project.code, job.pk])
    assert client.get(forged).status_code == 404


def test_a_partner_cannot_prepare_the_final_report(client, attended):
    client.force_login(attended.bob)
    path = reverse("reports:final_report", args=[attended.project.code])
    assert client.post(path).status_code == 404
    assert not ExportJob.objects.exists()


def test_a_requester_who_lost_the_right_gets_a_failed_job_not_the_file(attended):
    job = services.export_job_request(
        actor=attended.bob,
        project=attended.project,
        kind="export",
        parameters={"export": "participants", "format": "csv", "filters": {}},
        filename="x.csv",
    )
    attended.project.memberships.filter(user=attended.bob).delete()
    services.export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "access" and not job.file


def test_a_failed_job_is_shown_as_failed_and_can_be_retried(
    client, attended, large, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("kvalis.reports.outputs.write_csv", broken)
    client.force_login(attended.alice)
    job = request_export(client, attended, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed"
    page = client.get(reverse("reports:job", args=[attended.project.code, job.pk]))
    assert "Failo paruošti nepavyko" in page.text
    assert "Netikėta klaida" in page.text  # translated, not the exception's text
    assert "disk full" not in page.text
    monkeypatch.undo()
    retry = reverse("reports:job_retry", args=[attended.project.code, job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    job.refresh_from_db()
    assert job.status == "done" and job.error == ""


def test_an_interrupted_job_is_shown_with_a_retry_button(client, attended, large):
    client.force_login(attended.alice)
    client.post(export_url(attended))
    job = ExportJob.objects.get()
    long_ago = timezone.now() - timedelta(minutes=10)
    ExportJob.objects.filter(pk=job.pk).update(status="running", heartbeat_at=long_ago)
    page = client.get(reverse("reports:job", args=[attended.project.code, job.pk]))
    assert "Paruošimas nutrūko" in page.text
    assert reverse("reports:job_retry", args=[attended.project.code, job.pk]) in page.text
    services.export_job_run(job_id=job.pk)  # a worker that picks it up again does nothing
    job.refresh_from_db()
    assert job.status == "running"


def test_a_ready_job_cannot_be_retried_and_a_running_one_is_not_run_twice(
    client, attended, large, django_capture_on_commit_callbacks
):
    client.force_login(attended.alice)
    job = request_export(client, attended, django_capture_on_commit_callbacks)
    response = client.post(reverse("reports:job_retry", args=[attended.project.code, job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "done"
    services.export_job_run(job_id=job.pk)
    assert ExportJob.objects.get(pk=job.pk).file == job.file


def test_prune_deletes_expired_jobs_and_their_files(
    client, attended, large, django_capture_on_commit_callbacks
):
    client.force_login(attended.alice)
    old = request_export(client, attended, django_capture_on_commit_callbacks)
    fresh = request_export(
        client, attended, django_capture_on_commit_callbacks, export_url(attended, fmt="xlsx")
    )
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    ExportJob.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    download = reverse("reports:job_download", args=[attended.project.code, old.pk])
    assert client.get(download).status_code == 404  # expired: no longer downloadable
    out = io.StringIO()
    call_command("prune_report_exports", stdout=out)
    assert "1" in out.getvalue()
    assert not storage.exists(name)
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert (
        client.get(reverse("reports:job", args=[attended.project.code, old.pk])).status_code == 404
    )


def test_final_report_job_through_the_pages(client, attended, django_capture_on_commit_callbacks):
    client.force_login(attended.alice)
    path = reverse("reports:final_report", args=[attended.project.code])
    page = client.get(path)
    assert page.status_code == 200 and "Paruošti failą" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"annex": "1"})
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("reports:job", args=[attended.project.code, job.pk])
    job.refresh_from_db()
    assert job.kind == "final_report" and job.parameters == {"annex": True}
    download = client.get(reverse("reports:job_download", args=[attended.project.code, job.pk]))
    assert content_of(download).startswith(b"%PDF")
