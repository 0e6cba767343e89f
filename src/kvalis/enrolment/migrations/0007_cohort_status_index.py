from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("enrolment", "0006_import_mapping_and_held_mail"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="enrolment",
            index=models.Index(fields=["cohort", "status"], name="enrolment_cohort_status"),
        ),
    ]
