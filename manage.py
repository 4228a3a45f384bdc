#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supporttool.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # Settings refused before logging exists: still an ERROR line the alarms count.
        from lookup.logs import startup_failure_write

        startup_failure_write(error=exc)
        sys.exit(1)


if __name__ == "__main__":
    main()
