"""Background work for reports. Jobs take ids, reload, and call services."""

from django.tasks import task


@task()
def run_export_job(*, job_id: int) -> None:
    from kvalis.reports.services import export_job_run

    export_job_run(job_id=job_id)
