"""The conversations app's part of the personal data export and the retention job
(``people.privacy``), and of the audit trail (``people.audit``); registered in
``ConversationsConfig.ready()``.

The employee's conversations are theirs: the conversation, its agenda, the shared notes,
the agreements, their own preparation answers and private note, and the manager's
preparation answers once the conversation has started (as the page shows them). The
manager's private note on it is the manager's alone. Of conversations a person held as
manager: when, what kind and with whom, and what they wrote themselves.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from people import audit, privacy
from people.models import Organisation, User

from .access import conversations_of
from .models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    PreparationAnswer,
    ReminderDelivery,
    SharedNote,
)

AUDIT_TYPE = "conversation"


def _conversation_links(viewer: User, object_ids: list[str]) -> dict[str, str]:
    """Only the two parties open a conversation (HR never does)."""
    return audit.links_by_uuid(
        conversations_of(viewer),
        object_ids,
        "conversations:conversation-detail",
        "conversation_uuid",
    )


def _started() -> Q:
    """The conversation has started: each side sees the other's preparation."""
    return Q(conversation__status=Conversation.Status.HELD) | Q(
        conversation__status=Conversation.Status.SCHEDULED,
        conversation__starts_at__lte=timezone.now(),
    )


def _export(person: User) -> list[privacy.Section]:
    records = privacy.records
    own = Q(conversation__employee=person)
    conversation = ("conversation", _("conversation"))
    with_parties = ("conversation__employee", "conversation__manager")
    return [
        records(
            Conversation.objects.filter(employee=person).select_related("manager", "requested_by"),
            (
                "kind",
                "status",
                "starts_at",
                "duration_minutes",
                "location",
                "previous_starts_at",
                "previous_location",
                "manager",
                "request_note",
                "requested_by",
                "held_at",
                "cancelled_at",
                "created_at",
            ),
            model=Conversation,
            title=_("Your conversations"),
        ),
        records(
            AgendaItem.objects.filter(own).select_related("author", *with_parties),
            (conversation, "created_at", "author", "text", "source"),
            model=AgendaItem,
            title=_("Agendas of your conversations"),
        ),
        records(
            PreparationAnswer.objects.filter(own & (Q(author=person) | _started()))
            .select_related("author", "question", *with_parties)
            .order_by("conversation__starts_at", "question__position", "id"),
            (conversation, ("question.text", _("question")), "author", "body", "updated_at"),
            model=PreparationAnswer,
            title=_("Preparation of your conversations"),
            explanation=_("Your manager's answers are here once the conversation has started."),
        ),
        records(
            SharedNote.objects.filter(own).select_related("updated_by", *with_parties),
            (conversation, "body", "updated_by", "updated_at"),
            model=SharedNote,
            title=_("Shared notes of your conversations"),
        ),
        records(
            Agreement.objects.filter(own).select_related(
                "owner", "created_by", "plan_action", *with_parties
            ),
            (conversation, "text", "owner", "due_date", "status", "created_by", "plan_action"),
            model=Agreement,
            title=_("Agreements in your conversations"),
        ),
        records(
            ConversationPrivateNote.objects.filter(author=person).select_related(*with_parties),
            (conversation, "body", "updated_at"),
            model=ConversationPrivateNote,
            title=_("Your private notes on conversations"),
            explanation=_("Only you see these."),
        ),
        records(
            Conversation.objects.filter(manager=person).select_related("employee"),
            ("kind", "status", "starts_at", "employee", "held_at", "cancelled_at"),
            model=Conversation,
            title=_("Conversations you held as manager"),
        ),
        records(
            AgendaItem.objects.filter(author=person).exclude(own).select_related(*with_parties),
            (conversation, "created_at", "text"),
            model=AgendaItem,
            title=_("Your agenda items in conversations you held"),
        ),
        records(
            PreparationAnswer.objects.filter(author=person)
            .exclude(own)
            .select_related("question", *with_parties),
            (conversation, ("question.text", _("question")), "body", "updated_at"),
            model=PreparationAnswer,
            title=_("Your preparation of conversations you held"),
        ),
        records(
            SharedNote.objects.filter(updated_by=person).exclude(own).select_related(*with_parties),
            (conversation, "updated_at"),
            model=SharedNote,
            title=_("Shared notes you last saved in conversations you held"),
            explanation=_("When you saved them; the notes belong to that conversation."),
        ),
        records(
            Agreement.objects.filter(Q(owner=person) | Q(created_by=person))
            .exclude(own)
            .select_related("owner", *with_parties),
            (conversation, "text", "owner", "due_date", "status"),
            model=Agreement,
            title=_("Agreements you made or recorded in conversations you held"),
        ),
        records(
            ReminderDelivery.objects.filter(recipient=person),
            ("kind", "due_slot"),
            model=ReminderDelivery,
            title=_("Reminders decided for you"),
            explanation=_(
                "What they said and when they were sent: your notifications and e-mails."
            ),
        ),
    ]


def _anonymise(people: list[User]) -> None:
    """The leavers' conversations stay (kind, time, status: the cadence figures), their
    content goes; so do their private notes anywhere and their reminders."""
    conversations = Conversation.objects.filter(employee__in=people)
    conversations.update(request_note="", location="", previous_location="")
    AgendaItem.objects.filter(conversation__in=conversations).delete()
    PreparationAnswer.objects.filter(conversation__in=conversations).delete()
    SharedNote.objects.filter(conversation__in=conversations).update(body="")
    ConversationPrivateNote.objects.filter(
        Q(conversation__in=conversations) | Q(author__in=people)
    ).delete()
    Agreement.objects.filter(conversation__in=conversations).update(text=gettext("(removed)"))
    ReminderDelivery.objects.filter(recipient__in=people).delete()


def _organisation_delete(organisation: Organisation) -> None:
    """Conversations point at plan actions and goals: they go before the plans."""
    Conversation.objects.filter(organisation=organisation).delete()
    ReminderDelivery.objects.filter(recipient__organisation=organisation).delete()


CONVERSATIONS = privacy.PersonalData(
    app="conversations",
    covers={
        "conversations.Conversation": ("employee", "manager", "requested_by"),
        "conversations.AgendaItem": ("author",),
        "conversations.PreparationAnswer": ("author",),
        "conversations.SharedNote": ("updated_by",),
        "conversations.ConversationPrivateNote": ("author",),
        "conversations.Agreement": ("owner", "created_by"),
        "conversations.ReminderDelivery": ("recipient",),
    },
    export=_export,
    anonymise=_anonymise,
    organisation_delete=_organisation_delete,
)


def register() -> None:
    privacy.register(CONVERSATIONS)
    audit.register_object_type(
        AUDIT_TYPE,
        _("conversation"),
        parts={
            "page": _("conversation page"),
            "ics": _("calendar file"),
            "report": _("report (PDF)"),
            "schedule": _("planned"),
            "reschedule": _("moved"),
            "cancel": _("cancelled"),
            "held": _("marked held"),
            "agenda": _("agenda"),
            "preparation": _("preparation"),
            "notes": _("shared notes"),
            "private-note": _("own private note"),
            "agreement": _("agreement"),
        },
        links=_conversation_links,
    )
