"""A sort key for people lists (`Person.sort_key`, the ICU key of last and first name in
Lithuanian order), filled for everyone already recorded."""

from django.db import migrations, models


def fill_sort_keys(apps, schema_editor) -> None:
    from kvalis.people.models import name_sort_key

    Person = apps.get_model("people", "Person")
    changed = []
    people = Person.objects.only("pk", "first_name", "last_name").iterator(chunk_size=2000)
    for person in people:
        person.sort_key = name_sort_key(person.last_name, person.first_name)
        changed.append(person)
        if len(changed) == 2000:
            Person.objects.bulk_update(changed, ["sort_key"])
            changed = []
    Person.objects.bulk_update(changed, ["sort_key"])


class Migration(migrations.Migration):
    dependencies = [("people", "0005_normalise_phones")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="sort_key",
            field=models.BinaryField(default=b"", editable=False, verbose_name="sort key"),
        ),
        migrations.RunPython(fill_sort_keys, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["sort_key", "id"], name="people_person_sort_key"),
        ),
    ]
