"""Calendar files parsed back with the icalendar library."""

import datetime
import zoneinfo

from django.urls import reverse
from icalendar import Calendar

from conversations import services
from people.models import OutgoingMessage
from people.outbox import outbox_deliver

from .conftest import in_days

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def _ics(client, conversation):
    response = client.get(
        reverse("conversations:conversation-ics", kwargs={"conversation_uuid": conversation.uuid})
    )
    return response, Calendar.from_ical(response.content)


def _event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_invitation_file_has_method_uid_sequence_times_and_people(world, conversation, as_user):
    response, calendar = _ics(as_user(world.employee), conversation)
    assert response["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    assert 'attachment; filename="conversation-' in response["Content-Disposition"]
    assert calendar["METHOD"] == "REQUEST"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    event = _event(calendar)
    assert event["UID"] == f"{conversation.uuid}@pop-platform"
    assert event["SEQUENCE"] == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert start == conversation.starts_at and end - start == datetime.timedelta(minutes=60)
    assert start.astimezone(AMSTERDAM).hour == 10
    assert str(event["ORGANIZER"]) == "mailto:manager@zorg.test"
    assert sorted(str(a) for a in event["ATTENDEE"]) == [
        "mailto:employee@zorg.test",
        "mailto:manager@zorg.test",
    ]
    assert str(event["LOCATION"]) == "Kamer 2.14"
    assert str(event["SUMMARY"]) == "Ontwikkelgesprek: Sanne Jansen en Jeroen de Vries"
    assert "DTSTAMP" in event


def test_reschedule_and_cancel_keep_the_uid_and_raise_the_sequence(world, conversation, as_user):
    client = as_user(world.manager)
    services.conversation_reschedule(
        conversation=conversation,
        by=world.manager,
        starts_at=in_days(8, hour=15),
        duration_minutes=30,
        location="Teams",
    )
    _response, calendar = _ics(client, conversation)
    event = _event(calendar)
    assert (calendar["METHOD"], event["SEQUENCE"], str(event["LOCATION"])) == (
        "REQUEST",
        1,
        "Teams",
    )
    assert event.decoded("DTSTART").astimezone(AMSTERDAM).hour == 15
    assert event["UID"] == f"{conversation.uuid}@pop-platform"

    services.conversation_cancel(conversation=conversation, by=world.manager)
    response, calendar = _ics(client, conversation)
    event = _event(calendar)
    assert response["Content-Type"] == "text/calendar; method=CANCEL; charset=utf-8"
    assert (calendar["METHOD"], event["SEQUENCE"], event["STATUS"]) == ("CANCEL", 2, "CANCELLED")
    assert event["UID"] == f"{conversation.uuid}@pop-platform"


def test_english_reader_gets_an_english_summary(world, conversation, as_user):
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    _response, calendar = _ics(as_user(world.employee), conversation)
    assert (
        str(_event(calendar)["SUMMARY"])
        == "Development conversation: Sanne Jansen and Jeroen de Vries"
    )


def test_emailed_invitation_and_cancellation_carry_the_calendar_file(
    world, conversation, mailoutbox
):
    emails = OutgoingMessage.objects.filter(channel="email")
    for message in emails.filter(kind="reminder_invitation"):
        outbox_deliver(message_id=message.pk)
    services.conversation_cancel(conversation=conversation, by=world.manager)
    for message in emails.filter(kind="reminder_cancellation"):
        outbox_deliver(message_id=message.pk)
    to_employee = [m for m in mailoutbox if m.to == [world.employee.email]]
    assert [m.subject for m in to_employee] == [
        "Uitnodiging: ontwikkelgesprek met Jeroen de Vries",
        "Afgezegd: ontwikkelgesprek met Jeroen de Vries",
    ]
    methods = []
    for message in to_employee:
        (part,) = message.attachments
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert part.get_filename() == "uitnodiging.ics"
        methods.append((calendar["METHOD"], _event(calendar)["SEQUENCE"], part.get_param("method")))
        assert _event(calendar)["UID"] == f"{conversation.uuid}@pop-platform"
    assert methods == [
        ("REQUEST", 0, "REQUEST"),
        ("CANCEL", 1, "CANCEL"),
    ]


def test_a_changed_invitation_says_so_and_what_changed(world, conversation, mailoutbox):
    """Issue 16, item 9: a reschedule sent an invitation whose subject was the same as
    that of a new one."""
    emails = OutgoingMessage.objects.filter(channel="email", kind="reminder_invitation")
    for message in emails:
        outbox_deliver(message_id=message.pk)
    services.conversation_reschedule(
        conversation=conversation,
        by=world.manager,
        starts_at=in_days(9, hour=14),
        duration_minutes=45,
        location="Kamer 3.02",
    )
    for message in emails.filter(sent_at__isnull=True):
        outbox_deliver(message_id=message.pk)
    to_employee = [m for m in mailoutbox if m.to == [world.employee.email]]
    assert [m.subject for m in to_employee] == [
        "Uitnodiging: ontwikkelgesprek met Jeroen de Vries",
        "Gewijzigd: ontwikkelgesprek met Jeroen de Vries",
    ]
    body = to_employee[1].body
    assert "Nieuwe tijd:" in body and "14:00 (was " in body and "10:00)." in body
    assert "Nieuwe plaats: Kamer 3.02 (was Kamer 2.14)." in body
    (part,) = to_employee[1].attachments
    assert _event(Calendar.from_ical(part.get_payload(decode=True)))["SEQUENCE"] == 1
