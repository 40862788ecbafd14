"""Contacts logged before the first-contact flag existed get it from their outcome."""

from django.db import migrations


def set_flag(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    ended = Contact.objects.filter(ended_at__isnull=False, resolved_at_first_contact__isnull=True)
    ended.filter(outcome="resolved").update(resolved_at_first_contact=True)
    ended.exclude(outcome="resolved").update(resolved_at_first_contact=False)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_requester")]
    operations = [migrations.RunPython(set_flag, migrations.RunPython.noop)]
