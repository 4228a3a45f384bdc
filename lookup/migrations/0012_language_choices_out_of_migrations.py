"""The language preference's choices (the desk's languages) leave the migrations, as the audit
actions did in 0010: a new language needs no migration. No SQL: choices are no part of the
column."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("lookup", "0011_language_preference"),
    ]

    operations = [
        migrations.AlterField(
            model_name="languagepreference",
            name="language",
            field=models.CharField(max_length=8, verbose_name="language"),
        ),
    ]
