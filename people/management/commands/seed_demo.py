"""Build the demo organisation. Each app adds its part through a ``demo.py`` module.

Apps are called in ``INSTALLED_APPS`` order (people first), so each app's demo data can
build on the apps to its left without ``people`` importing the apps to its right.
"""

from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from people.demo import (
    ADMIN_EMAIL,
    DEMO_PASSWORD,
    EMPLOYEE_EMAIL,
    HR_EMAIL,
    MANAGER_EMAIL,
    seed_people,
)


class Command(BaseCommand):
    help = "Create (or complete) the demo organisation with fixed demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people", type=int, default=80, help="Size of the organisation (default 80)."
        )
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")

    def handle(self, *args: object, people: int, force: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create demo accounts with DEBUG off (a production setup?). "
                "Use --force if you really mean it."
            )
        if people < 20:
            raise CommandError("The demo organisation needs at least 20 people.")
        with transaction.atomic():
            result = seed_people(people=people)
            for config in apps.get_app_configs():
                if config.name == "people" or not module_has_submodule(config.module, "demo"):
                    continue
                seed = getattr(import_module(f"{config.name}.demo"), "seed", None)
                if seed is not None:
                    seed(organisation=result.organisation)
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.organisation}: {result.total} people ({result.created} new)."
            )
        )
        self.stdout.write(f"Demo accounts (password {DEMO_PASSWORD}):")
        for email, role in (
            (HR_EMAIL, "HR"),
            (MANAGER_EMAIL, "manager"),
            (EMPLOYEE_EMAIL, "employee"),
            (ADMIN_EMAIL, "Django admin"),
        ):
            self.stdout.write(f"  {email:<24} {role}")
