from html import escape

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

ALL_PERIODS = "all"


class AlignmentFilterForm(forms.Form):
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, data, *, units: list[tuple[int, str]], years: list[int]) -> None:
        super().__init__(data)
        self.fields["unit"].choices = [("", _("All units")), *units]
        self.fields["period"].choices = [
            *[(str(year), str(year)) for year in years],
            (ALL_PERIODS, _("All periods")),
        ]

    def filters(self, *, default_year: int) -> tuple[int | None, int | None]:
        """(unit id, year); a bad value drops only that filter."""
        self.is_valid()
        data = self.cleaned_data
        period = data.get("period") or str(default_year)
        return data.get("unit"), None if period == ALL_PERIODS else int(period)

    def options(self, name: str, selected: str) -> SafeString:
        """The ``<option>`` tags of a filter, built with plain string operations: an
        organisation can have a thousand units, too many for a template loop (or
        ``format_html`` per option) on every page view."""
        parts = []
        for value, label in self.fields[name].choices:
            mark = " selected" if str(value) == selected else ""
            parts.append(
                f'<option value="{escape(str(value))}"{mark}>{escape(str(label))}</option>'
            )
        return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above
