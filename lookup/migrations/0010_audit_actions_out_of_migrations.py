"""The audit actions leave the migrations: the field's choices are no part of the column, and
`AuditActionField` (now `ChoicesOutOfMigrationsField`) no longer records them, so a new action needs no migration (0003-0008 each
copied the whole list). Nothing changes in the database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lookup", "0009_audit_trail_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(max_length=32),
        ),
    ]
