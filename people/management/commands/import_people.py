from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.imports import COLUMNS, apply_import, plan_import
from people.invitations import invitations_send
from people.models import Organisation


class Command(BaseCommand):
    help = (
        "Create or update people and units from a CSV or XLSX file with the columns "
        f"{', '.join(COLUMNS)} (email and name required): the same rules as HR's upload "
        "page. Nothing changes when any row is bad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--organisation",
            help="Organisation name (may be left out when there is only one).",
        )
        parser.add_argument(
            "--everyone",
            action="store_true",
            help="The file is everyone: deactivate the organisation's people not in it.",
        )
        parser.add_argument("--invite", action="store_true", help="Invite the new people.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what would change (the preview)."
        )

    def handle(self, *args, file: Path, organisation: str | None, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        organisations = Organisation.objects.all()
        if organisation:
            organisations = organisations.filter(name=organisation)
        if organisations.count() != 1:
            raise CommandError(_("Name an existing organisation with --organisation."))
        plan = plan_import(
            organisation=organisations.get(),
            content=content,
            filename=file.name,
            everyone=options["everyone"],
        )
        if not plan.ok:
            for line, reason in plan.errors:
                self.stderr.write(_("line %(line)d: %(reason)s") % {"line": line, "reason": reason})
            raise CommandError(
                ngettext(
                    "%(count)d problem found; nothing was imported.",
                    "%(count)d problems found; nothing was imported.",
                    len(plan.errors),
                )
                % {"count": len(plan.errors)}
            )
        if options["dry_run"]:
            self.stdout.write(
                _(
                    "Would add %(created)d, change %(updated)d, deactivate %(deactivated)d "
                    "and create %(units)d units."
                )
                % {
                    "created": len(plan.additions),
                    "updated": len(plan.changes),
                    "deactivated": len(plan.deactivations),
                    "units": len(plan.new_units),
                }
            )
            return
        with transaction.atomic():
            result = apply_import(plan=plan, actor=None)
            if options["invite"]:
                invitations_send(people=result.created, by=None)
        self.stdout.write(
            self.style.SUCCESS(
                _("%(created)d created, %(updated)d updated, %(units)d new units.")
                % {
                    "created": len(result.created),
                    "updated": result.updated,
                    "units": result.units_created,
                }
            )
        )
