from uuid import UUID

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from feedback.recognition import team_feed
from goals.selectors import filter_years
from people.access import roles_for
from people.models import AuditEvent, Organisation
from people.selectors import navigation_figures, person_profile
from people.services import audit_event, audit_record, audit_record_many
from pop_platform.cache import fragment, partials

from . import access, selectors, services
from .alignment import Scope, drilldown
from .forms import ALL_PERIODS, AlignmentFilterForm
from .privacy import CSV_EXPORT, DRILLDOWN
from .spreadsheet import SpreadsheetSafeWriter

HOME = "dashboards/home.html"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """What to do next, per role: own plan, goals, actions and notifications; a manager's
    team at a glance; HR's headline numbers."""
    person = person_profile(user_id=request.user.pk)
    navigation_figures(user=request.user)  # the manager role, with what the navigation shows
    roles = roles_for(request.user)
    page = selectors.home(user=person, roles=roles)
    context = {"person": person, "person_roles": roles, "home": page}
    # The goals and actions cards from the shared cache (selectors.home_parts).
    context["sections"] = partials(request, HOME, "home-", selectors.home_parts(page), context)
    context["team_feed"] = team_feed(viewer=person)
    return render(request, HOME, context)


def _filters(request: HttpRequest) -> tuple[Scope, AlignmentFilterForm, str]:
    user = request.user
    viewer = access.alignment_viewer(user)
    organisation = Organisation.objects.get(pk=user.organisation_id)
    if viewer == "hr":
        units = selectors.unit_choices(organisation_id=organisation.pk)
    else:
        units = selectors.report_units(manager=user)
    today = timezone.localdate()
    years = cache.get_or_set(  # the years goals are due in; a new one may take a while
        f"alignment-years:{organisation.pk}",
        lambda: filter_years(organisation_id=organisation.pk),
        timeout=int(services.SNAPSHOT_MAX_AGE.total_seconds()),
    )
    form = AlignmentFilterForm(request.GET, units=units, years=years)
    unit_id, year = form.filters(default_year=today.year)
    scope = access.alignment_scope(user=user, organisation=organisation, unit_id=unit_id, year=year)
    return scope, form, viewer


def _query(scope: Scope) -> str:
    return urlencode({"unit": scope.unit_id or "", "period": scope.year or ALL_PERIODS})


def _drill_url(scope: Scope, viewer: str):
    if viewer != "hr":
        return None
    query = _query(scope)

    def drill_url(goal_uuid: str) -> str:
        return f"{reverse('dashboards:alignment-people')}?{query}&goal={goal_uuid}"

    return drill_url


def _tables_html(request: HttpRequest, scope: Scope, viewer: str, snapshot) -> str:
    """The tables part of the page, rendered once per snapshot (and language and viewer
    kind) and kept in the cache: it is the same for everyone who sees this snapshot."""
    parts = (snapshot.pk, snapshot.computed_at, scope.organisation.min_group_size, viewer)

    def render_tables(extra: dict) -> str:
        dashboard = selectors.alignment_tables(
            snapshot=snapshot, scope=scope, drill_url=_drill_url(scope, viewer)
        )
        context = {"dashboard": dashboard, "viewer": viewer, "query": _query(scope), **extra}
        return render_to_string("dashboards/_alignment_tables.html", context, request=request)

    return fragment(request, "alignment-tables", (*parts, get_language()), render_tables)


@require_GET
def alignment(request: HttpRequest) -> HttpResponse:
    scope, form, viewer = _filters(request)
    snapshot = services.alignment_snapshot_get(scope=scope)
    context = {
        "tables_html": _tables_html(request, scope, viewer, snapshot),
        "snapshot": snapshot,
        "form": form,
        "scope": scope,
        "viewer": viewer,
        "query": _query(scope),
        "unit_options": form.options("unit", str(scope.unit_id or "")),
        "period_options": form.options("period", str(scope.year or ALL_PERIODS)),
    }
    return render(request, "dashboards/alignment.html", context)


@require_POST
def alignment_refresh(request: HttpRequest) -> HttpResponse:
    """Recompute the figures now (for whoever may see them)."""
    scope, _form, _viewer = _filters(request)
    services.alignment_snapshot_refresh(scope=scope)
    return redirect(f"{reverse('dashboards:alignment')}?{_query(scope)}")


@require_GET
def alignment_csv(request: HttpRequest) -> HttpResponse:
    """Every table of the page, with the same filters and the same suppression, for Dutch
    Excel: UTF-8 with a byte order mark, ``;`` between fields, a decimal comma."""
    scope, _form, viewer = _filters(request)
    snapshot = services.alignment_snapshot_get(scope=scope)
    dashboard = selectors.alignment_tables(
        snapshot=snapshot, scope=scope, drill_url=_drill_url(scope, viewer)
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"alignment-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = SpreadsheetSafeWriter(response)
    writer.writerow(
        [_("Figures from"), timezone.localtime(snapshot.computed_at).strftime("%d-%m-%Y %H:%M")]
    )
    selection = dashboard.selection
    writer.writerow([_("Unit"), selection.label or _("All units")])
    if selection.widened:
        writer.writerow(
            [
                _("Asked for"),
                selection.asked_label,
                _("not shown on its own: fewer than %(k)s people") % {"k": dashboard.k},
            ]
        )
    writer.writerow([_("Period"), str(scope.year or _("All periods"))])
    for table in dashboard:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow([entry.csv for entry in row])
        if table.total:
            writer.writerow([entry.csv for entry in table.total])
    writer.writerow([])
    writer.writerow(
        [
            _(
                "Every figure is about at least %(k)s people; smaller units and teams are "
                "counted together."
            )
            % {"k": dashboard.k}
        ]
    )
    audit_record(  # HR's and a manager's export alike
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type=CSV_EXPORT,
        summary=scope.key,
        request=request,
    )
    return response


@require_GET
def alignment_people(request: HttpRequest) -> HttpResponse:
    """HR's drill-down to the named people behind a figure; every look is audited."""
    access.drilldown_allowed(request.user)
    scope, _form, _viewer = _filters(request)
    goal = None
    if request.GET.get("show") != "not-linked":
        try:
            goal_uuid = UUID(request.GET.get("goal", ""))
        except ValueError as bad:
            raise Http404 from bad
        goal = selectors.strategic_goal(organisation=scope.organisation, goal_uuid=goal_uuid)
    people = drilldown(scope, strategic_id=goal.pk if goal else None)
    # One event per person named on the page (whose data HR saw), in one INSERT; one
    # without a person when nobody was listed.
    audit_record_many(
        [
            audit_event(
                actor=request.user,
                subject_id=person_id,
                action=AuditEvent.Action.READ,
                object_type=DRILLDOWN,
                object_id=str(goal.uuid) if goal else "not-linked",
                summary=scope.key,
            )
            for person_id in [row.person_id for row in people] or [None]
        ]
    )
    context = {"goal": goal, "people": people, "scope": scope, "query": _query(scope)}
    return render(request, "dashboards/alignment_people.html", context)
