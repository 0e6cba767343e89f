"""Answers given so far were shown as they came: they are published as they stand, one batch
per survey (what was visible stays visible). The audit entries written per answer carry the
minute of the answer; they are removed, and the daily pass (`kvalis publish_survey_results`)
records the answers again as one count per survey and day, from the responses' days."""

from django.db import migrations
from django.db.models import Count
from django.utils import timezone


def forwards(apps, schema_editor):
    Survey = apps.get_model("surveys", "Survey")
    SurveyResponse = apps.get_model("surveys", "SurveyResponse")
    ResultsBatch = apps.get_model("surveys", "ResultsBatch")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    today = timezone.localdate()
    counts = (
        SurveyResponse.objects.filter(batch__isnull=True)
        .values("survey")
        .annotate(n=Count("id"))
        .values_list("survey", "n")
        .order_by()
    )
    for survey_id, n in counts:
        batch = ResultsBatch.objects.create(survey_id=survey_id, published_on=today, responses=n)
        SurveyResponse.objects.filter(survey_id=survey_id, batch__isnull=True).update(batch=batch)
    AuditEntry.objects.filter(action="survey.answer").delete()
    Survey.objects.update(answers_logged_through=None)


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_results_batches"),
        ("audit", "0002_auditentry_organisation"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
