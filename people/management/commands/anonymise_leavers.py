from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.models import Organisation
from people.retention import leavers_anonymise, leavers_due


class Command(BaseCommand):
    help = (
        "Anonymise the people whose end date lies longer ago than their organisation's "
        "retention period (the daily retention job, on demand). --dry-run lists them only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="List who is due; change nothing."
        )
        parser.add_argument("--organisation", help="Only this organisation (its name).")

    def handle(self, *args: object, dry_run: bool, organisation: str | None, **options: object):
        organisations = Organisation.objects.all()
        if organisation:
            organisations = organisations.filter(name=organisation)
            if not organisations.exists():
                raise CommandError(
                    _("There is no organisation named %(name)s.") % {"name": organisation}
                )
        total = 0
        for each in organisations:
            today = timezone.localtime(timezone.now(), each.tzinfo).date()
            if dry_run:
                due = list(leavers_due(organisation=each, today=today))
                for person in due:
                    self.stdout.write(
                        _("%(organisation)s: %(name)s (%(email)s), left on %(end)s")
                        % {
                            "organisation": each.name,
                            "name": person.full_name,
                            "email": person.email,
                            "end": person.end_date.isoformat(),
                        }
                    )
            else:
                due = leavers_anonymise(organisation=each, today=today, reason="command")
            total += len(due)
        if dry_run:
            done = ngettext(
                "%(count)d person would be anonymised.",
                "%(count)d people would be anonymised.",
                total,
            )
        else:
            done = ngettext("%(count)d person anonymised.", "%(count)d people anonymised.", total)
        self.stdout.write(done % {"count": total})
