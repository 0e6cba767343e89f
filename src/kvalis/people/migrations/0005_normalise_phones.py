"""Phones stored before `kvalis.people.rules` in the one form the rules now give (+370XXXXXXXX,
other countries as + and their digits). A value that cannot be read as a number stays as it is:
nothing a person wrote is lost, and it is checked when someone changes it."""

from django.db import migrations


def normalise_phones(apps, schema_editor) -> None:
    from kvalis.people.rules import normalise_phone

    Person = apps.get_model("people", "Person")
    changed = []
    for person in Person.objects.exclude(phone="").only("pk", "phone").iterator(chunk_size=1000):
        phone = normalise_phone(person.phone)
        if phone is not None and phone != person.phone:
            person.phone = phone
            changed.append(person)
    Person.objects.bulk_update(changed, ["phone"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_erasure")]

    operations = [migrations.RunPython(normalise_phones, migrations.RunPython.noop)]
