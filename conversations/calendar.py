"""Calendar invitations (RFC 5545 / iTIP) for a conversation.

One stable UID per conversation; SEQUENCE is the conversation's ``sequence``, raised on
each reschedule and on cancellation, so calendars replace the earlier version. Times are
in the organisation's time zone with its VTIMEZONE. Only the time, place and who take
part go in: never notes, answers or agreements.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from pop_platform.email import absolute_url

from .models import Conversation

PRODID = "-//POP Platform//Conversations//NL"


def conversation_uid(conversation: Conversation) -> str:
    return f"{conversation.uuid}@pop-platform"


def _address(person, *, role: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["CN"] = vText(person.full_name)
    address.params["ROLE"] = vText(role)
    return address


def conversation_method(conversation: Conversation) -> str:
    return "CANCEL" if conversation.status == Conversation.Status.CANCELLED else "REQUEST"


def conversation_ics(conversation: Conversation) -> bytes:
    """The invitation as it stands: REQUEST, or CANCEL once it is cancelled.

    Call it inside ``translation.override`` for the reader's language.
    """
    tz = conversation.organisation.tzinfo
    method = conversation_method(conversation)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", conversation_uid(conversation))
    event.add("sequence", conversation.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", conversation.starts_at.astimezone(tz))
    event.add("dtend", conversation.ends_at.astimezone(tz))
    event.add(
        "summary",
        _("%(kind)s: %(employee)s and %(manager)s")
        % {
            "kind": conversation.get_kind_display().capitalize(),
            "employee": conversation.employee.full_name,
            "manager": conversation.manager.full_name,
        },
    )
    event.add(
        "description",
        _("Prepare the conversation and add to its agenda: %(link)s")
        % {"link": absolute_url(conversation.get_absolute_url())},
    )
    if conversation.location:
        event.add("location", conversation.location)
    event.add("url", absolute_url(conversation.get_absolute_url()))
    event.add("organizer", _address(conversation.manager, role="CHAIR"))
    event.add("attendee", _address(conversation.employee, role="REQ-PARTICIPANT"))
    event.add("attendee", _address(conversation.manager, role="CHAIR"))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def ics_content_type(conversation: Conversation) -> str:
    return f"text/calendar; method={conversation_method(conversation)}; charset=utf-8"
