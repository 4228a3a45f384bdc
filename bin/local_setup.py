"""`make run`'s setup in one Django process (bin/local_stack.py runs it once dynalite and moto's
SQS server answer): the database, the table, the queues, demo data and demo accounts. Each as
its own `manage.py` would start Django six times over, seconds each on a busy machine.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supporttool.settings")
    import django
    from django.core.management import call_command
    from django.core.management.base import CommandError

    django.setup()
    steps = (
        ("migrate", "--noinput", "--verbosity", "0"),
        ("collectstatic", "--noinput", "--verbosity", "0"),
        ("ensure_table",),
        ("ensure_queues",),
        ("seed_demo", "--if-empty"),
        ("create_demo_users", "--password", os.environ["DEMO_PASSWORD"]),
    )
    for step in steps:
        try:
            call_command(*step)
        except CommandError as exc:
            print(f"manage.py {step[0]}: {exc}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
