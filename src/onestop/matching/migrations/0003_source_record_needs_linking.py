from django.db import migrations, models


def linked_records_are_up_to_date(apps, schema_editor):
    # Records a run has already given a person were linked as they stand.
    SourceRecord = apps.get_model("matching", "SourceRecord")
    SourceRecord.objects.filter(person__isnull=False).update(needs_linking=False)


class Migration(migrations.Migration):

    dependencies = [
        ("matching", "0002_source_record_previous_address"),
    ]

    operations = [
        migrations.AddField(
            model_name="sourcerecord",
            name="needs_linking",
            field=models.BooleanField(db_index=True, default=True),
        ),
        migrations.RunPython(linked_records_are_up_to_date, migrations.RunPython.noop),
    ]
