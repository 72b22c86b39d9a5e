"""Compliments in the personal data export and the retention job (``people.privacy``).

A compliment is personal data of both people: the receiver (what it says about their
work) and the giver (that they wrote it). Each gets it in their export. When the receiver
leaves, the compliments they received go with their plan's texts. When the giver leaves,
the compliments they gave stay with their receivers, whose recognition they are; the
giver's account is anonymised by the retention job like every leaver's, so the name shown
becomes that of an anonymised person.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from people import privacy
from people.models import Organisation, User

from .models import Compliment


def _export(person: User) -> list[privacy.Section]:
    fields = ("created_at", "step", "action", "goal", "text")
    return [
        privacy.records(
            Compliment.objects.filter(receiver=person).select_related(
                "giver", "step", "action", "goal"
            ),
            ("giver", *fields),
            model=Compliment,
            title=_("Compliments you received"),
        ),
        privacy.records(
            Compliment.objects.filter(giver=person).select_related(
                "receiver", "step", "action", "goal"
            ),
            ("receiver", *fields),
            model=Compliment,
            title=_("Compliments you gave"),
        ),
    ]


def _anonymise(people: list[User]) -> None:
    Compliment.objects.filter(receiver__in=people).delete()


def _organisation_delete(organisation: Organisation) -> None:
    Compliment.objects.filter(organisation=organisation).delete()


COMPLIMENTS = privacy.PersonalData(
    app="feedback.compliments",
    covers={"feedback.Compliment": ("giver", "receiver")},
    export=_export,
    anonymise=_anonymise,
    organisation_delete=_organisation_delete,
)


def register() -> None:
    privacy.register(COMPLIMENTS)
