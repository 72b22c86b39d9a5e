from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _settings_link(viewer, object_ids: list[str]) -> dict[str, str]:
    """HR opens their own organisation's settings (the only organisation they see)."""
    from django.urls import reverse

    organisation = viewer.organisation if viewer.is_hr else None
    if organisation is None or str(organisation.uuid) not in object_ids:
        return {}
    return {str(organisation.uuid): reverse("people:organisation-settings")}


def _reset_link(message) -> dict[str, str]:
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = message.recipient
    uid, token = (
        urlsafe_base64_encode(force_bytes(user.pk)),
        default_token_generator.make_token(user),
    )
    return {"link": reverse("password_reset_confirm", args=[uid, token])}


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from pop_platform.middleware import stamp_sign_in

        from . import audit, outbox, privacy

        # The session's absolute limit counts from the sign-in itself.
        user_logged_in.connect(stamp_sign_in, dispatch_uid="pop-stamp-sign-in")

        privacy.register(privacy.PEOPLE)
        # The new-password and invitation links are made when the e-mail goes out, never
        # stored.
        from . import invitations

        outbox.register_kinds(
            outbox.MessageKind("password_reset", extra_context=_reset_link),
            outbox.MessageKind(
                "invitation",
                still_wanted=invitations.invitation_still_wanted,
                extra_context=invitations.invitation_message_context,
            ),
        )
        audit.register_object_type("organisation", _("organisation settings"), links=_settings_link)
        audit.register_object_type("people", _("people import"))
        audit.register_object_type(
            privacy.AUDIT_TYPE,
            _("personal data"),
            parts={"json": _("JSON file"), "pdf": _("PDF")},
        )
        audit.register_object_type(
            "person",
            _("person"),
            parts={
                "retention": _("retention job"),
                "command": _("by command"),
                "hr": _("by HR"),
                "import": _("people file"),
                "invite": _("invitation"),
                "active": _("active or not"),
                "sso": _("first sign-in through single sign-on"),
                "two-factor-on": _("two-factor sign-in set up"),
                "two-factor-off": _("two-factor sign-in turned off"),
            },
        )
        audit.register_object_type("unit", _("unit"))
