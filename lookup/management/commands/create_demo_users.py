from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from lookup.access import roles
from lookup.targets import database_target_describe

DEMO_ACCOUNTS = {
    "agent": {"role": roles.SUPPORT_AGENT, "is_staff": False},
    "lead": {"role": roles.SUPPORT_LEAD, "is_staff": False},
    "admin": {"role": roles.ADMIN, "is_staff": True},
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
        self.stdout.write(f"Writing demo accounts to the {database_target_describe()}.")
        user_model = get_user_model()
        for username, account in DEMO_ACCOUNTS.items():
            user, created = user_model.objects.get_or_create(
                username=username, defaults={"is_staff": account["is_staff"]}
            )
            user.groups.add(Group.objects.get(name=account["role"]))
            if created:
                user.set_password(password)
                user.save()
                self.stdout.write(self.style.SUCCESS(f"Created {username} ({account['role']})"))
            else:
                self.stdout.write(f"{username} already exists (password unchanged)")
