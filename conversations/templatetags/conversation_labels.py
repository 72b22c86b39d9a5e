"""The names of conversation kinds, from their codes, in the active language."""

from collections.abc import Iterable

from django import template

from conversations.models import Kind

register = template.Library()


@register.filter
def conversation_kind(code: str) -> str:
    """``development`` → "ontwikkelgesprek" (Dutch) or "development conversation"."""
    return str(Kind(code).label) if code in Kind.values else code


@register.filter
def conversation_kinds(codes: Iterable[str]) -> str:
    """Several kinds, separated by commas."""
    return ", ".join(conversation_kind(code) for code in codes)
