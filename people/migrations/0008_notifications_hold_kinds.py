"""The outbox, step 2 of 3: notifications hold a kind and its parameters instead of text.

Each existing notification becomes an in-app message; one that was to be e-mailed also
gets an e-mail message carrying its delivery record. Their stored texts are mapped back
to a kind and its parameters where they are recognised (the texts below are the Dutch and
English ones the application wrote); the rest keep their text as it was (kind ``text``),
readable in the language it was written in.
"""

import re

from django.db import migrations

CONVERSATION_KINDS = {
    "startgesprek": "start",
    "voortgangsgesprek": "progress",
    "functioneringsgesprek": "performance",
    "beoordelingsgesprek": "appraisal",
    "ontwikkelgesprek": "development",
    "start conversation": "start",
    "progress conversation": "progress",
    "performance conversation": "performance",
    "appraisal conversation": "appraisal",
    "development conversation": "development",
    "check-in": "check_in",
}

# kind → (the texts it was written with, in Dutch and English; what its body held)
TEXTS = {
    "goal_proposed": (
        ["%(name)s stelt een doel voor: %(title)s", "%(name)s proposes a goal: %(title)s"],
        None,
    ),
    "goal_approved": (
        ["Je doel is goedgekeurd: %(title)s", "Your goal is approved: %(title)s"],
        "comment",
    ),
    "goal_returned": (
        [
            "Je leidinggevende heeft je doel teruggestuurd: %(title)s",
            "Your manager returned your goal: %(title)s",
        ],
        "comment",
    ),
    "goal_assigned": (
        [
            "%(name)s heeft een doel voor je klaargezet: %(title)s",
            "%(name)s prepared a goal for you: %(title)s",
        ],
        None,
    ),
    "plan_agreement": (
        [
            "Versie %(version)s van het ontwikkelplan van %(employee)s is vastgesteld",
            "Version %(version)s of the development plan of %(employee)s is agreed",
            "%(by)s gaf akkoord op het ontwikkelplan van %(employee)s",
            "%(by)s gave akkoord on the development plan of %(employee)s",
        ],
        None,
    ),
    "conversation_requested": (
        ["%(name)s wil graag een %(kind)s met je", "%(name)s would like a %(kind)s with you"],
        "note",
    ),
}


def _pattern(text: str) -> re.Pattern:
    return re.compile(
        "^" + re.sub(r"%\\\((\w+)\\\)s", r"(?P<\1>.+)", re.escape(text)) + "$", re.DOTALL
    )


PATTERNS = {kind: [_pattern(text) for text in texts] for kind, (texts, _body) in TEXTS.items()}


def recognised(kind: str, title: str, body: str) -> tuple[str, dict]:
    """The kind and parameters of a stored text, or ``("text", {title, body})``."""
    for pattern in PATTERNS.get(kind, []):
        match = pattern.match(title)
        if match is None:
            continue
        context = match.groupdict()
        if "kind" in context:
            if context["kind"] not in CONVERSATION_KINDS:
                continue
            context["kind"] = CONVERSATION_KINDS[context["kind"]]
        if "version" in context:
            if not context["version"].isdigit():
                continue
            context["version"] = int(context["version"])
        body_name = TEXTS[kind][1]
        if body_name:
            context[body_name] = body
        elif body and kind != "goal_assigned":
            continue
        return kind, context
    return "text", {"title": title, "body": body, "was": kind}


def forwards(apps, schema_editor):
    Message = apps.get_model("people", "OutgoingMessage")
    emails = []
    for message in Message.objects.all().iterator():
        message.kind, message.context = recognised(message.kind, message.title, message.body)
        message.channel = "in_app"
        email = Message(
            recipient_id=message.recipient_id,
            channel="email",
            kind=message.kind,
            context=message.context,
            link=message.link,
            created_at=message.created_at,
            attempts=message.attempts,
            attempted_at=message.updated_at if message.attempts else None,
            sent_at=message.emailed_at,
            last_error=message.last_error,
            failed_at=message.failed_at,
        )
        if message.email_wanted:
            emails.append(email)
        message.sent_at = message.created_at
        message.attempts, message.last_error, message.failed_at = 0, "", None
        message.save()
    Message.objects.bulk_create(emails, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("people", "0007_outbox")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
