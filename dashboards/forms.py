from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from pop_platform.forms import option_tags

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
        return option_tags(self.fields[name].choices, selected)
