"""Message texts (``templates/messages/``) and what they need."""

import datetime

from django import template
from django.utils.dateparse import parse_date, parse_datetime

from people.models import OutgoingMessage
from people.outbox import Rendered, as_reader, message_render

register = template.Library()


@register.filter
def iso(value: object) -> object:
    """A date or time stored as ISO text in a message's parameters, as a date or an aware
    datetime again, for ``|date`` to show in the reader's language and time zone."""
    if not isinstance(value, str) or not value:
        return value
    moment = parse_datetime(value)
    if moment is not None:
        return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
    return parse_date(value) or value


@register.simple_tag(takes_context=True)
def message_text(context: template.Context, message: OutgoingMessage) -> Rendered:
    """``{% message_text notification as text %}``: its title, body and link, rendered
    now in the language and time zone of the person reading (the signed-in user)."""
    with as_reader(context["request"].user):
        return message_render(message)


@register.filter
def oneline(text: str) -> str:
    """``{% filter oneline %}…{% endfilter %}``: a line written over several template lines
    (each line break and indent becomes one space)."""
    return " ".join(str(text).split())
