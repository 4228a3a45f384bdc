from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_ACCOUNTS = {
    "agent": {"is_staff": False, "is_superuser": False},
    "lead": {"is_staff": False, "is_superuser": False},
    "admin": {"is_staff": True, "is_superuser": True},
}


class Command(BaseCommand):
    help = "Create the demo accounts agent, lead and admin (local runs only: LOCAL_DEMO=true)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            required=True,
            help="Password for the three accounts (make run passes DEMO_PASSWORD).",
        )

    def handle(self, *args, password: str, **options) -> None:
        if not settings.LOCAL_DEMO:
            raise CommandError("Demo accounts are for local runs only (set LOCAL_DEMO=true).")
        user_model = get_user_model()
        for username, flags in DEMO_ACCOUNTS.items():
            user, created = user_model.objects.get_or_create(username=username, defaults=flags)
            if created:
                user.set_password(password)
                user.save()
                self.stdout.write(self.style.SUCCESS(f"Created demo account {username}"))
            else:
                self.stdout.write(f"Demo account {username} already exists (password unchanged)")
