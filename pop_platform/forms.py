"""Small shared form helpers."""

from html import escape

from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe


def option_tags(choices, selected: str) -> SafeString:
    """The ``<option>`` tags of a choice field, built with plain string operations: an
    organisation can have a thousand units, too many for a template loop (or
    ``format_html`` per option) on every page view."""
    parts = []
    for value, label in choices:
        mark = " selected" if str(value) == selected else ""
        parts.append(f'<option value="{escape(str(value))}"{mark}>{escape(str(label))}</option>')
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above


class OptionTagsBoundField(BoundField):
    """A choice field that also gives its options as ready tags: ``{{ field.option_tags }}``
    (set ``bound_field_class`` on the form)."""

    @property
    def option_tags(self) -> SafeString:
        value = self.value()
        return option_tags(self.field.choices, "" if value is None else str(value))
