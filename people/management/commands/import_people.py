from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.models import Organisation
from people.services import IMPORT_COLUMNS, people_import


class Command(BaseCommand):
    help = (
        "Create or update people and units from a CSV file with the columns "
        f"{', '.join(IMPORT_COLUMNS)}. Nothing changes when any row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--organisation",
            help="Organisation name (may be left out when there is only one).",
        )

    def handle(self, *args: object, file: Path, organisation: str | None, **options: object):
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        organisations = Organisation.objects.all()
        if organisation:
            organisations = organisations.filter(name=organisation)
        if organisations.count() != 1:
            raise CommandError(_("Name an existing organisation with --organisation."))
        result = people_import(organisation=organisations.get(), text=text)
        if not result.ok:
            for line, reason in result.errors:
                self.stderr.write(_("line %(line)d: %(reason)s") % {"line": line, "reason": reason})
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was imported.",
                    "%(count)d problems found; nothing was imported.",
                    len(result.errors),
                )
                % {"count": len(result.errors)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)d created, %(updated)d updated, %(units)d new units.")
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "units": result.units_created,
                }
            )
        )
