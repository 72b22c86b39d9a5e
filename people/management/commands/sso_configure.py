from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from people.forms import SignInSettingsForm
from people.models import Organisation
from people.sso import callback_url, sign_in_configure, sign_in_settings_for


class Command(BaseCommand):
    help = (
        "Configure an organisation's single sign-on (OpenID Connect), as HR does on "
        "/organisation/sign-in/: issuer, client ID and secret, e-mail domains."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's name.")
        parser.add_argument("--issuer", required=True, help="The provider's issuer URL.")
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument(
            "--domains", required=True, help="The organisation's e-mail domains: a.nl,b.nl"
        )
        parser.add_argument("--name", default="", help="Shown on the sign-in button.")
        parser.add_argument(
            "--no-passwords", action="store_true", help="People sign in only through SSO."
        )
        parser.add_argument(
            "--create-accounts",
            action="store_true",
            help="Create an account on a person's first sign-in.",
        )

    def handle(self, *args, **options) -> None:
        organisation = Organisation.objects.filter(name=options["organisation"]).first()
        if organisation is None:
            raise CommandError(_("Name an existing organisation with --organisation."))
        row = sign_in_settings_for(organisation)
        form = SignInSettingsForm(
            {
                "sso_enabled": "on",
                "provider_name": options["name"],
                "issuer": options["issuer"],
                "client_id": options["client_id"],
                "client_secret": options["client_secret"],
                "domains": options["domains"],
                "passwords_allowed": "" if options["no_passwords"] else "on",
                "create_accounts": "on" if options["create_accounts"] else "",
                "two_factor": row.two_factor,
            },
            settings_row=row,
        )
        if not form.is_valid():
            for name, errors in form.errors.items():
                for error in errors:
                    self.stderr.write(f"{name}: {error}" if name != "__all__" else error)
            raise CommandError(_("The settings are not saved."))
        values = dict(form.cleaned_data)
        domains = values.pop("domains")
        try:
            row = sign_in_configure(
                organisation=organisation, by=None, values=values, domains=domains
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Single sign-on is on for %(organisation)s. Redirect URI: %(url)s")
                % {"organisation": organisation.name, "url": callback_url(None, row)}
            )
        )
