"""Who may see the alignment dashboard, and with which people in it.

HR: the whole organisation, with drill-down to named people (audited). A manager: only
their own direct reports, as aggregates. Anyone else: 404 (the page does not exist).
"""

from __future__ import annotations

from django.http import Http404

from people.access import roles_for
from people.models import Organisation, User

from .alignment import Scope


def alignment_viewer(user: User) -> str:
    """``"hr"`` or ``"manager"``; raises Http404 for everyone else."""
    if not user.is_authenticated or user.organisation_id is None:
        raise Http404
    roles = roles_for(user)
    if roles.hr:
        return "hr"
    if roles.manager:
        return "manager"
    raise Http404


def alignment_scope(
    *, user: User, organisation: Organisation, unit_id: int | None, year: int | None
) -> Scope:
    viewer = alignment_viewer(user)
    return Scope(
        organisation=organisation,
        manager_id=None if viewer == "hr" else user.pk,
        unit_id=unit_id,
        year=year,
    )


def drilldown_allowed(user: User) -> None:
    """Named people behind the figures: HR only (404 for anyone else)."""
    if alignment_viewer(user) != "hr":
        raise Http404
