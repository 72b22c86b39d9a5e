"""The authorisation matrix: every named URL of ours, GET and POST, as every persona.

``ROWS`` below is the table. Each row is one URL (a few URLs have a row per item kind,
or for htmx), with the objects its kwargs point at (``KWARGS``, ``Row.kwargs``), and
for GET and for POST the outcome per persona: ``by(employee=…, manager=…, rest=…)``
names personas, ``rest`` covers the others, and anonymous visitors are sent to sign in
unless the row says otherwise. ``parties(x)``: the employee and her manager get x,
everyone else 404; ``editors(x)``: the same, but HR (who reads plans) gets 403.

- ``OK`` / ``ok("text", hides=(...))``: 200, an HTML page (or a fragment, for htmx
  rows) that shows and hides the given texts; ``pdf(...)`` and ``csv(...)`` likewise
  for a PDF's text and a CSV; ``PDF``, ``CSV``, ``ICS``, ``JSON``: a 200 of that type;
- ``to("name", **kwargs)``: a redirect there (``LOGIN``: to the sign-in page and back);
- ``403``, ``404``, ``405``.

A POST sends the row's realistic body with the persona's CSRF token. Where the answer is
a success, ``stored`` says what must be stored now (``None``: nothing); every other
request, and every GET, must leave the domain tables exactly as they were (apart from
``BOOKKEEPING`` in conftest.py). Every response carries the security headers.

A URL pattern without a row fails ``test_every_url_has_a_row`` with what to add.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.db.models import Q
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from conversations.models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    PreparationAnswer,
    PreparationQuestion,
    SharedNote,
    UnitCadence,
)
from feedback.models import Compliment, FeedbackPolicy, FeedbackRequest
from goals.models import Goal, GoalUpdate
from people.models import (
    ApiClient,
    ChatChannel,
    Invitation,
    Notification,
    NotificationChoice,
    Organisation,
    OrgUnit,
    OutgoingMessage,
    PeopleImport,
    SignInSettings,
    TopicPolicy,
    User,
    WebhookSubscription,
)
from plans.models import (
    ActionStep,
    Competency,
    DevelopmentAction,
    DevelopmentPlan,
    LevelAssessment,
    PlanComment,
    PlanExport,
    PrivateNote,
)
from tests.conversations.conftest import (
    EMPLOYEE_ANSWER,
    EMPLOYEE_PRIVATE,
    MANAGER_ANSWER,
    MANAGER_PRIVATE,
)
from tests.factories import PASSWORD, UserFactory
from tests.goals.conftest import goal_form_data
from tests.plans.conftest import EMPLOYEE_NOTE, MANAGER_NOTE, action_form_data, pdf_text
from tests.pop_platform.test_url_access import named_patterns

from .conftest import (
    Objects,
    changed_tables,
    domain_state,
    header_problems,
    rolled_back,
    signed_in_client,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("employee", "colleague", "manager", "other_manager", "hr", "other_hr", "anonymous")


# --- Outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """200 with a body of ``content_type`` that shows and hides these texts."""

    shows: tuple[str, ...] = ()
    hides: tuple[str, ...] = ()
    content_type: str = "text/html"

    def __repr__(self) -> str:
        return f"200 {self.content_type}"


def ok(*shows: str, hides: tuple[str, ...] = ()) -> Page:
    return Page(shows=shows, hides=hides)


def pdf(*shows: str, hides: tuple[str, ...] = ()) -> Page:
    """A PDF whose text (as pypdf reads it) shows and hides these texts."""
    return Page(shows=shows, hides=hides, content_type="application/pdf")


def csv(*shows: str, hides: tuple[str, ...] = ()) -> Page:
    return Page(shows=shows, hides=hides, content_type="text/csv")


def json(*shows: str, hides: tuple[str, ...] = ()) -> Page:
    return Page(shows=shows, hides=hides, content_type="application/json")


OK = Page()
PDF = Page(content_type="application/pdf")
CSV = Page(content_type="text/csv")
ICS = Page(shows=("BEGIN:VCALENDAR",), content_type="text/calendar")
JSON = Page(shows=('"database": "ok"',), content_type="application/json")
LIVE = Page(shows=("ok",), content_type="text/plain")


@dataclass(frozen=True)
class To:
    """A redirect to the URL ``name`` with kwargs naming objects (see ``Row.kwargs``);
    ``ANY`` stands for a new object's UUID. ``anchor``: the ``#part`` of the page."""

    name: str
    kwargs: tuple[tuple[str, str], ...] = ()
    anchor: str = ""
    any_query: bool = False

    def __repr__(self) -> str:
        return f"302 to {self.name}"

    def pattern(self, objects: Objects) -> str:
        url = reverse(self.name, kwargs=_resolve(dict(self.kwargs), self.name, objects))
        url = re.escape(url).replace(re.escape(ANY_UUID), "[0-9a-f-]{36}")
        query = r"(\?[^#]*)?" if self.any_query else ""
        anchor = re.escape(f"#{_fill(self.anchor, objects)}") if self.anchor else ""
        return url + query + anchor


def to(name: str, *, anchor: str = "", any_query: bool = False, **kwargs: str) -> To:
    return To(name, tuple(kwargs.items()), anchor, any_query)


class Login:
    """To the sign-in page, which brings the person back to this URL afterwards."""

    def __repr__(self) -> str:
        return "302 to sign in"


LOGIN = Login()
ANY = "ANY"
ANY_UUID = "00000000-0000-4000-8000-000000000000"

Outcome = int | Page | To | Login
Outcomes = tuple[Outcome, ...]  # one per persona, in the order of PERSONAS


def by(
    *,
    employee: Outcome | None = None,
    colleague: Outcome | None = None,
    manager: Outcome | None = None,
    other_manager: Outcome | None = None,
    hr: Outcome | None = None,
    other_hr: Outcome | None = None,
    anonymous: Outcome = LOGIN,
    rest: Outcome | None = None,
) -> Outcomes:
    """The outcome for each persona; ``rest`` for every persona not named. Anonymous
    visitors are sent to sign in, except where a row says otherwise (public pages)."""
    given = {
        "employee": employee,
        "colleague": colleague,
        "manager": manager,
        "other_manager": other_manager,
        "hr": hr,
        "other_hr": other_hr,
        "anonymous": anonymous,
    }
    outcomes = tuple(rest if given[persona] is None else given[persona] for persona in PERSONAS)
    assert None not in outcomes, "name every persona or give `rest`"
    return outcomes


def parties(outcome: Outcome) -> Outcomes:
    """A conversation's (or plan PDF's) two people get ``outcome``: the employee and her
    manager; nobody else sees it, HR included (404)."""
    return by(employee=outcome, manager=outcome, rest=404)


def editors(outcome: Outcome) -> Outcomes:
    """A plan's writers, the employee and her line manager, get ``outcome``; HR reads
    the plan but may not change it (403); nobody else sees it (404)."""
    return by(employee=outcome, manager=outcome, hr=403, rest=404)


NOT_GET = NOT_POST = by(rest=405)  # the method is not allowed (after sign-in)
PUBLIC_NOT = by(rest=405, anonymous=405)  # not allowed on a public page


# --- Rows -----------------------------------------------------------------------------

# The object each URL kwarg names, unless a row says otherwise. A UUID kwarg names an
# object (a path in ``Objects``); any other kwarg (``kind``, ``token``) is a literal.
KWARGS = {
    "plan_uuid": "pop.plan",
    "competency_uuid": "pop.competency",
    "conversation_uuid": "conversation",
    "agreement_uuid": "agreement",
    "notification_uuid": "notification",
    "person_uuid": "world.employee",
    "unit_uuid": "world.team",
    "question_uuid": "question",
    "import_uuid": "people_import",
    "token": "invitation",
    "request_uuid": "feedback",
    "invitation_uuid": "feedback_invitation",
}

Data = Callable[[Objects, User | None], dict]
Stored = Callable[[Objects, User | None], bool | None]


@dataclass(frozen=True)
class Row:
    name: str
    get: Outcomes
    post: Outcomes
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""  # "download=1"; "{path}" stands for that object's UUID
    htmx: bool = False
    data: Data | None = None  # the POST body
    stored: Stored | None = None  # after a successful POST: True when it was stored
    variant: str = ""
    # The feedback answerer (Noor Bos, of another team), a persona of the feedback rows:
    # (GET, POST). Elsewhere Noor is one more colleague of another team.
    answerer: tuple[Outcome, Outcome] | None = None

    @property
    def id(self) -> str:
        return f"{self.name}[{self.variant}]" if self.variant else self.name

    def url(self, objects: Objects) -> str:
        kwargs = {**KWARGS, **self.kwargs}
        # A row's own kwargs also name those of an enclosing regex prefix (django-allauth's
        # ``<provider_id>/``), which the innermost pattern does not list.
        names = {*ALL_PATTERNS[self.name].pattern.converters, *self.kwargs}
        wanted = {key: kwargs[key] for key in names}
        url = reverse(self.name, kwargs=_resolve(wanted, self.name, objects))
        query = _fill(self.query, objects)
        return f"{url}?{query}" if query else url


def _fill(text: str, objects: Objects) -> str:
    """``"{pop.action}"`` in a query or anchor: that object's UUID."""
    return re.sub(r"\{([\w.]+)\}", lambda m: str(objects.named(m[1]).uuid), text)


def _resolve(kwargs: dict[str, str], name: str, objects: Objects) -> dict[str, object]:
    """A UUID kwarg names an object (its path in ``Objects``); others are literals."""
    converters = ALL_PATTERNS[name].pattern.converters
    values: dict[str, object] = {}
    for key, value in kwargs.items():
        if value == ANY:
            values[key] = ANY_UUID
        elif key == "token" and name.startswith("invitation"):  # its signed link
            from people.invitations import invitation_token

            values[key] = invitation_token(objects.named(value))
        elif type(converters.get(key)).__name__ == "UUIDConverter" or key in API_IDS:
            values[key] = objects.named(value).uuid
        else:
            values[key] = value
    return values


def _personas(objects: Objects) -> dict[str, User | None]:
    return {**objects.world.personas(), "answerer": objects.answerer}


def _in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _fresh(instance):
    return type(instance)._base_manager.get(pk=instance.pk)


# --- The table ---------------------------------------------------------------------------

# Where successful writes send people back to.
PLAN = to("plans:plan-detail", plan_uuid="pop.plan")
GOAL_LIST = to("goals:goal-list")
ADMIN_LOGIN = to("admin:login", any_query=True)


def plan_at(anchor: str) -> To:
    return to("plans:plan-detail", plan_uuid="pop.plan", anchor=anchor)


def conversation_at(anchor: str = "", conversation: str = "conversation") -> To:
    return to("conversations:conversation-detail", conversation_uuid=conversation, anchor=anchor)


def goal(path: str) -> To:
    return to("goals:goal-detail", goal_uuid=path)


# Texts the personas' pages must show or must not show.
NOTIFICATION = "Jeroen de Vries gaf akkoord op je POP"
ORG_GOAL = "Duurzame inzetbaarheid van alle medewerkers"  # cascade.org_goal
TEAM_GOAL = "Werkdruk in Wijkteam Noord eerlijk verdeeld"  # cascade.team_goal (Noord)
PRIVATE_GOAL = "Training veerkracht afronden en toepassen"  # cascade.employee_goal
DRAFT = "Coachingstraject over timemanagement volgen"  # cascade.draft
ELSEWHERE_GOAL = "Gemeentelijke dienstverlening digitaal"  # the other organisation's
AMBITION = "Groeien naar specialistisch wijkverpleegkundige e-health."
ACTION = "E-learning beeldzorg"
COMPETENCY = "Digitale vaardigheden"

# Rows that come in a plain and an htmx variant.
GOAL_LIST_ROW = Row(
    "goals:goal-list",
    get=by(
        employee=ok(TEAM_GOAL, PRIVATE_GOAL),
        colleague=ok(TEAM_GOAL, hides=(PRIVATE_GOAL,)),
        manager=ok(TEAM_GOAL, PRIVATE_GOAL),
        other_manager=ok(ORG_GOAL, hides=(TEAM_GOAL, PRIVATE_GOAL)),
        hr=ok(TEAM_GOAL, hides=(PRIVATE_GOAL,)),
        other_hr=ok(ELSEWHERE_GOAL, hides=(ORG_GOAL,)),
    ),
    post=NOT_POST,
)

PLAN_PDF = to("plans:plan-pdf", plan_uuid="pop.plan")
PLAN_PDF_ROW = Row(
    "plans:plan-pdf",
    # The PDF is the employee's and her line manager's document; HR reads on screen.
    get=parties(OK),
    post=parties(PLAN_PDF),
    stored=lambda o, user: PlanExport.objects.filter(
        plan=o.pop.plan, requested_by=user, status=PlanExport.Status.PENDING
    ).exists(),
)
ACTION_EDIT_ROW = Row(
    "plans:plan-item-edit",
    variant="action",
    kwargs={"kind": "action", "item_uuid": "pop.action"},
    get=editors(ok(ACTION)),
    post=editors(plan_at("item-action-{pop.action}")),
    data=lambda o, user: action_form_data(o.pop, title="E-learning beeldzorg en e-health"),
    stored=lambda o, user: _fresh(o.pop.action).title == "E-learning beeldzorg en e-health",
)
GAP_ASSESS_ROW = Row(
    "plans:plan-gap-assess",
    # The employee's own view and her line manager's; HR reads both on the plan.
    kwargs={"gap_uuid": "pop.gap"},
    get=editors(ok("Welk niveau zie je nu?", COMPETENCY)),
    post=editors(plan_at("item-gap-{pop.gap}")),
    data=lambda o, user: {"level": "3", "reason": "Zet beeldzorg zelfstandig in.", "version": 0},
    stored=lambda o, user: LevelAssessment.objects.filter(
        gap=o.pop.gap, author=user, level=3, reason="Zet beeldzorg zelfstandig in."
    ).exists(),
)
PLAN_COMPLIMENTS_ROW = Row(
    "feedback:plan-compliments",
    # Whoever reads the plan reads the compliments on its completed items; only others
    # than the employee may give one.
    get=by(
        employee=ok("Module 1: basis", hides=("Schouderklopje geven",)),
        manager=ok("Module 1: basis", "Schouderklopje geven"),
        hr=ok("Module 1: basis", "Schouderklopje geven"),
        rest=404,
    ),
    post=NOT_POST,
    answerer=(404, 405),  # she answers about Sanne's gap; she does not see her plan
)
# The parts htmx puts into the plan page: the form for whoever may give a compliment.
COMPLIMENT_PARTS = by(
    employee=ok(hides=("Schouderklopje geven",)),
    manager=ok("Schouderklopje geven"),
    hr=ok("Schouderklopje geven"),
    rest=404,
)
COMPLIMENT_ROW = Row(
    "feedback:compliment",
    kwargs={"kind": "step", "item_uuid": "pop.step"},
    get=by(
        employee=ok("Module 1: basis", hides=("Schouderklopje geven",)),
        manager=ok("Schouderklopje geven"),
        hr=ok("Schouderklopje geven"),
        rest=404,
    ),
    post=by(
        employee=403,
        manager=plan_at("item-step-{pop.step}"),
        hr=plan_at("item-step-{pop.step}"),
        rest=404,
    ),
    data=lambda o, user: {"text": "Knap gedaan!"},
    stored=lambda o, user: Compliment.objects.filter(
        giver=user, receiver=o.world.employee, step=o.pop.step, text="Knap gedaan!"
    ).exists(),
    answerer=(404, 404),
)
AGENDA_ADD_ROW = Row(
    "conversations:conversation-agenda-add",
    get=NOT_GET,
    post=parties(conversation_at("conv-agenda")),
    data=lambda o, user: {"text": "Werkdruk in de avonddienst"},
    stored=lambda o, user: AgendaItem.objects.filter(
        author=user, text="Werkdruk in de avonddienst"
    ).exists(),
)

ROWS: list[Row] = [
    # --- Home, notifications, settings --------------------------------------------------
    Row(
        "dashboards:home",
        get=by(
            employee=ok("Welkom, Sanne"),
            colleague=ok("Welkom, Daan"),
            manager=ok("Welkom, Jeroen"),
            other_manager=ok("Welkom, Ilse"),
            hr=ok("Welkom, Fatima"),
            other_hr=ok("Welkom, Kees"),
        ),
        post=NOT_POST,
    ),
    Row(
        "people:inbox",
        get=by(employee=ok(NOTIFICATION), rest=ok(hides=(NOTIFICATION,))),
        post=NOT_POST,
    ),
    Row(
        "people:notifications-read-all",
        get=NOT_GET,
        post=by(rest=to("people:inbox")),
        # Each person marks their own messages read, nobody else's.
        stored=lambda o, user: (
            user is not None
            and not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
            and (user == o.world.employee) == (_fresh(o.notification).read_at is not None)
        ),
    ),
    Row(
        "people:compliment-sharing",
        get=NOT_GET,
        # Each person's own choice, for themself only.
        post=by(rest=to("people:profile", anchor="profile-sharing")),
        data=lambda o, user: {"share": "1"},
        stored=lambda o, user: user is not None and _fresh(user).share_compliments,
    ),
    Row(
        "people:notification-read",
        get=NOT_GET,
        # The notification's link; anyone but its recipient: 404.
        post=by(employee=PLAN, rest=404),
        stored=lambda o, user: _fresh(o.notification).read_at is not None,
    ),
    Row(
        "people:set-language",
        get=PUBLIC_NOT,
        post=by(rest=GOAL_LIST, anonymous=GOAL_LIST),
        data=lambda o, user: {"language": "en", "next": reverse("goals:goal-list")},
        # Remembered on the account; a visitor only gets the cookie.
        stored=lambda o, user: _fresh(user).language == "en" if user else None,
    ),
    Row(
        "people:audit-log",
        # HR's own organisation's trail; for everyone else the page does not exist.
        get=by(
            hr=ok("Zorggroep Test"),
            other_hr=ok("Gemeente Elders", hides=("Zorggroep Test",)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "people:profile",
        # Everyone sees their own details, nobody else's.
        get=by(
            employee=ok("employee@zorg.test"),
            manager=ok("manager@zorg.test", hides=("employee@zorg.test",)),
            hr=ok("hr@zorg.test", hides=("employee@zorg.test",)),
            rest=ok(hides=("employee@zorg.test",)),
        ),
        post=NOT_POST,
    ),
    Row(
        "people:personal-data-json",
        # All data about oneself: one's own private notes, never someone else's.
        get=by(
            employee=json(
                "employee@zorg.test",
                EMPLOYEE_NOTE,
                EMPLOYEE_PRIVATE,
                hides=(MANAGER_NOTE, MANAGER_PRIVATE),
            ),
            manager=json(MANAGER_NOTE, MANAGER_PRIVATE, hides=(EMPLOYEE_NOTE, EMPLOYEE_PRIVATE)),
            rest=json(hides=(EMPLOYEE_NOTE, MANAGER_NOTE, EMPLOYEE_PRIVATE, MANAGER_PRIVATE)),
        ),
        post=NOT_POST,
    ),
    Row(
        "people:personal-data-pdf",
        get=by(
            employee=pdf("Sanne Jansen", hides=(MANAGER_NOTE,)),
            manager=pdf("Jeroen de Vries", hides=(EMPLOYEE_NOTE,)),
            rest=pdf(hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
        ),
        post=NOT_POST,
    ),
    Row(
        "people:organisation-settings",
        # HR's own organisation; for everyone else the page does not exist.
        get=by(
            hr=ok("Zorggroep Test"),
            other_hr=ok("Gemeente Elders", hides=("Zorggroep Test",)),
            rest=404,
        ),
        post=by(
            hr=to("people:organisation-settings"),
            other_hr=to("people:organisation-settings"),
            rest=404,
        ),
        data=lambda o, user: {
            "default_language": "nl",
            "timezone": "Europe/Amsterdam",
            "checkin_cadence_weeks": "8",
            "conversation_interval_months": "12",
            "start_conversation_within_weeks": "4",
            "reminder_lead_days": "3",
            "goal_behind_margin": "0.10",
            "goal_at_risk_margin": "0.25",
            "default_yearly_budget": "1500.00",
            "min_group_size": "5",
            "retention_months": "24",
        },
        # Only HR's own organisation changes.
        stored=lambda o, user: (
            list(Organisation.objects.filter(checkin_cadence_weeks=8).values_list("pk", flat=True))
            == [user.organisation_id]
        ),
    ),
    # --- Sign-in pages (public) and the admin ------------------------------------------
    Row(
        "login",
        get=by(rest=to("dashboards:home"), anonymous=ok("Inloggen")),
        post=by(rest=to("dashboards:home"), anonymous=to("dashboards:home")),
        # A visitor signs in as someone none of the personas' browsers signed in as.
        data=lambda o, user: {"username": o.world.other_employee.email, "password": PASSWORD},
        stored=lambda o, user: (
            None if user else _fresh(o.world.other_employee).last_login is not None
        ),
    ),
    Row("logout", get=NOT_GET, post=by(rest=to("login"))),
    Row(
        "password_reset",
        get=by(rest=ok("Nieuw wachtwoord instellen"), anonymous=ok("Nieuw wachtwoord instellen")),
        post=by(rest=to("password_reset_done"), anonymous=to("password_reset_done")),
        data=lambda o, user: {"email": o.world.employee.email},
        # A link is queued for the employee (not sent during the request), whoever asks.
        stored=lambda o, user: (
            mail.outbox == []
            and [
                (m.recipient, m.channel)
                for m in OutgoingMessage.objects.filter(kind="password_reset")
            ]
            == [(o.world.employee, "email")]
        ),
    ),
    Row("password_reset_done", get=by(rest=OK, anonymous=OK), post=PUBLIC_NOT),
    Row(
        "password_reset_confirm",
        kwargs={"uidb64": "MQ", "token": "no-such-token"},
        get=by(rest=ok("niet meer geldig"), anonymous=ok("niet meer geldig")),
        post=by(rest=ok("niet meer geldig"), anonymous=ok("niet meer geldig")),
        data=lambda o, user: {"new_password1": "Nieuw-wachtwoord-42", "new_password2": "x"},
    ),
    Row("password_reset_complete", get=by(rest=OK, anonymous=OK), post=PUBLIC_NOT),
    Row("healthz", get=by(rest=JSON, anonymous=JSON), post=PUBLIC_NOT),
    Row("healthz-live", get=by(rest=LIVE, anonymous=LIVE), post=PUBLIC_NOT),
    # Off without METRICS_TOKEN (tests/pop_platform/test_metrics.py: with a token).
    Row("metrics", get=by(rest=404, anonymous=404), post=PUBLIC_NOT),
    # The Django admin is for staff (test_the_admin_is_for_staff); the personas are not,
    # and the admin sends everyone else to its own sign-in page.
    Row(
        "admin:index",
        get=by(rest=ADMIN_LOGIN, anonymous=ADMIN_LOGIN),
        post=by(rest=ADMIN_LOGIN, anonymous=ADMIN_LOGIN),
    ),
    # --- Goals -----------------------------------------------------------------------------
    GOAL_LIST_ROW,
    replace(GOAL_LIST_ROW, variant="htmx", htmx=True),
    Row(
        "goals:goal-create",
        get=by(rest=OK),
        # Everyone proposes goals of their own.
        post=by(rest=goal(ANY)),
        data=lambda o, user: {
            "level": "individual",
            "title": "Leren plannen met het roosterprogramma",
            "description": "Zelf mijn diensten ruilen zonder de planner.",
            "not_linked_reason": "Eigen ontwikkeling",
            "metric": "yes_no",
            "weight": "1",
            "visibility": "private",
        },
        stored=lambda o, user: Goal.objects.filter(
            owner_person=user, title="Leren plannen met het roosterprogramma"
        ).exists(),
    ),
    Row(
        "goals:goal-smart-check",
        htmx=True,
        get=NOT_GET,
        post=by(rest=ok("SMART")),
        data=lambda o, user: {"level": "individual", "title": "Beter worden"},
    ),
    Row(
        "goals:goal-detail",
        variant="private goal",
        kwargs={"goal_uuid": "cascade.employee_goal"},
        # The employee and her manager; HR sees private goals only as counts.
        get=parties(ok(PRIVATE_GOAL)),
        post=NOT_POST,
    ),
    Row(
        "goals:goal-detail",
        variant="team goal",
        kwargs={"goal_uuid": "cascade.team_goal"},
        # The team, its managers and HR; not another team's manager.
        get=by(
            employee=ok(TEAM_GOAL),
            colleague=ok(TEAM_GOAL),
            manager=ok(TEAM_GOAL),
            hr=ok(TEAM_GOAL),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "goals:goal-edit",
        kwargs={"goal_uuid": "cascade.draft"},
        get=parties(ok(DRAFT)),
        post=parties(goal("cascade.draft")),
        data=lambda o, user: goal_form_data(o.cascade.draft, title="Coachingstraject volgen"),
        stored=lambda o, user: _fresh(o.cascade.draft).title == "Coachingstraject volgen",
    ),
    Row(
        "goals:goal-submit",
        kwargs={"goal_uuid": "cascade.draft"},
        get=NOT_GET,
        # The employee proposes her own goal; her manager sees it but does not propose.
        post=by(employee=goal("cascade.draft"), manager=403, rest=404),
        stored=lambda o, user: _fresh(o.cascade.draft).status == Goal.Status.PROPOSED,
    ),
    Row(
        "goals:goal-approve",
        kwargs={"goal_uuid": "cascade.proposal"},
        get=NOT_GET,
        post=by(employee=403, manager=goal("cascade.proposal"), rest=404),
        data=lambda o, user: {"comment": "Mooi voorstel."},
        stored=lambda o, user: _fresh(o.cascade.proposal).status == Goal.Status.ACTIVE,
    ),
    Row(
        "goals:goal-return",
        kwargs={"goal_uuid": "cascade.proposal"},
        get=NOT_GET,
        post=by(employee=403, manager=goal("cascade.proposal"), rest=404),
        data=lambda o, user: {"comment": "Maak het meetbaar."},
        stored=lambda o, user: _fresh(o.cascade.proposal).review_comment == "Maak het meetbaar.",
    ),
    Row(
        "goals:goal-check-in",
        kwargs={"goal_uuid": "cascade.employee_goal"},
        get=NOT_GET,
        post=parties(goal("cascade.employee_goal")),
        data=lambda o, user: {"value": "7", "confidence": "6", "note": "Module 3 is af."},
        stored=lambda o, user: (
            GoalUpdate.objects.filter(author=user, note="Module 3 is af.")
            .filter(goal=o.cascade.employee_goal)
            .exists()
        ),
    ),
    Row(
        "goals:goal-assign",
        kwargs={"goal_uuid": "pop.team_goal"},
        # The team and HR see the team goal; only its manager hands it out.
        get=by(
            employee=403,
            colleague=403,
            manager=ok("Beeldzorg in Wijkteam Noord"),
            hr=403,
            rest=404,
        ),
        post=by(
            employee=403,
            colleague=403,
            manager=goal("pop.team_goal"),
            hr=403,
            rest=404,
        ),
        data=lambda o, user: {"people": [o.world.colleague.pk], "title": "Beeldbellen leren"},
        stored=lambda o, user: Goal.objects.filter(
            owner_person=o.world.colleague, title="Beeldbellen leren", status=Goal.Status.DRAFT
        ).exists(),
    ),
    # --- Plans -----------------------------------------------------------------------------
    Row(
        "plans:plan-mine",
        # Only the employee has a plan yet. GET invites the others to start theirs and
        # stores nothing; the POST of that page starts it.
        get=by(employee=PLAN, rest=ok("Begin aan mijn POP")),
        post=by(employee=PLAN, rest=to("plans:plan-detail", plan_uuid=ANY)),
        stored=lambda o, user: (
            None
            if user == o.world.employee
            else DevelopmentPlan.objects.filter(employee=user).exists()
        ),
    ),
    Row(
        "plans:plan-for-report",
        # The colleague reports to the manager and has no plan yet: only his manager may
        # start it (GET shows what will happen, the POST starts it); for anyone else the
        # person does not exist here.
        kwargs={"person_uuid": "world.colleague"},
        get=by(manager=ok("Start het POP van Daan"), rest=404),
        post=by(manager=to("plans:plan-detail", plan_uuid=ANY), rest=404),
        stored=lambda o, user: DevelopmentPlan.objects.filter(employee=o.world.colleague).exists(),
    ),
    Row(
        "plans:plan-template-pdf",
        # The blank template lists the person's own organisation's strategic goals.
        get=by(rest=pdf(ORG_GOAL), other_hr=pdf(ELSEWHERE_GOAL, hides=(ORG_GOAL,))),
        post=NOT_POST,
    ),
    Row(
        "plans:competency-list",
        # HR's catalogue of their own organisation; for anyone else it does not exist.
        get=by(hr=ok(COMPETENCY), other_hr=ok(hides=(COMPETENCY,)), rest=404),
        post=by(hr=to("plans:competency-list"), other_hr=to("plans:competency-list"), rest=404),
        data=lambda o, user: {
            "name": "Coachend werken",
            "description": "Anderen helpen zelf oplossingen te vinden.",
            "level_1": "Luistert en vat samen.",
            "is_active": "on",
        },
        stored=lambda o, user: Competency.objects.filter(
            organisation_id=user.organisation_id, name="Coachend werken"
        ).exists(),
    ),
    Row(
        "plans:competency-edit",
        get=by(hr=ok(COMPETENCY), rest=404),
        post=by(hr=to("plans:competency-list"), rest=404),
        data=lambda o, user: {"name": "Digitale zorgvaardigheden", "is_active": "on"},
        stored=lambda o, user: _fresh(o.pop.competency).name == "Digitale zorgvaardigheden",
    ),
    Row(
        "plans:plan-detail",
        # A private note is its author's alone; HR reads the plan, never the notes.
        get=by(
            employee=ok(EMPLOYEE_NOTE, hides=(MANAGER_NOTE,)),
            manager=ok(MANAGER_NOTE, hides=(EMPLOYEE_NOTE,)),
            hr=ok(AMBITION, hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "plans:plan-version",
        # An agreed version reads like the plan: its editors and HR (audited); never
        # anyone's private notes.
        kwargs={"number": 1},
        get=by(
            employee=ok(AMBITION, "Vastgesteld op", hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
            manager=ok(AMBITION, hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
            hr=ok(AMBITION, hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "plans:plan-version-pdf",
        # Like the plan's PDF: the employee's and her line manager's document.
        kwargs={"number": 1},
        get=parties(pdf(AMBITION, "Vastgesteld op", hides=(EMPLOYEE_NOTE, MANAGER_NOTE))),
        post=NOT_POST,
    ),
    Row(
        "plans:plan-changes",
        # Without JavaScript: the plan page with that view of what changed.
        query="changes=history",
        get=by(
            employee=to(
                "plans:plan-detail", plan_uuid="pop.plan", any_query=True, anchor="plan-changes"
            ),
            manager=to(
                "plans:plan-detail", plan_uuid="pop.plan", any_query=True, anchor="plan-changes"
            ),
            hr=to("plans:plan-detail", plan_uuid="pop.plan", any_query=True, anchor="plan-changes"),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "plans:plan-changes",
        variant="htmx",
        htmx=True,
        query="changes=history",
        get=by(
            employee=ok("Wat is er veranderd", hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
            manager=ok("Wat is er veranderd", hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
            hr=ok("Wat is er veranderd", hides=(EMPLOYEE_NOTE, MANAGER_NOTE)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    PLAN_PDF_ROW,
    replace(
        PLAN_PDF_ROW,
        variant="htmx",
        htmx=True,
        get=parties(ok("Een pdf van 1 pagina")),
        post=parties(ok("De pdf wordt gemaakt")),
    ),
    replace(
        PLAN_PDF_ROW,
        variant="download",
        query="download=1",
        get=parties(PDF),
    ),
    Row(
        "plans:plan-agree",
        get=NOT_GET,
        # Employee and manager agree; HR reads the plan but does not sign it.
        post=editors(plan_at("plan-status")),
        data=lambda o, user: {"revision": o.pop.plan.revision},
        stored=lambda o, user: (
            getattr(
                _fresh(o.pop.plan),
                "employee_agreed_at" if user == o.world.employee else "manager_agreed_at",
            )
            is not None
        ),
    ),
    Row(
        "plans:plan-comment-add",
        get=NOT_GET,
        post=editors(plan_at("comments-action-{pop.action}")),
        data=lambda o, user: {"body": "Wanneer start module 2?", "action": o.pop.action.uuid},
        stored=lambda o, user: PlanComment.objects.filter(
            author=user, action=o.pop.action, body="Wanneer start module 2?"
        ).exists(),
    ),
    Row(
        "plans:plan-item-add",
        variant="step",
        kwargs={"kind": "step"},
        get=editors(OK),
        post=editors(plan_at("plan-actions")),
        data=lambda o, user: {"action": o.pop.action.uuid, "title": "Module 2: beeldbellen"},
        stored=lambda o, user: ActionStep.objects.filter(title="Module 2: beeldbellen").exists(),
    ),
    Row(
        "plans:plan-item-add",
        variant="private note",
        kwargs={"kind": "note"},
        # Employee and manager each keep notes of their own on the plan.
        get=editors(OK),
        post=editors(plan_at("plan-notes")),
        data=lambda o, user: {"body": "Vragen voor het volgende gesprek."},
        stored=lambda o, user: PrivateNote.objects.filter(
            author=user, body="Vragen voor het volgende gesprek."
        ).exists(),
    ),
    Row(
        "plans:plan-item",
        variant="action",
        kwargs={"kind": "action", "item_uuid": "pop.action"},
        # Without htmx: to the item on the plan page.
        get=by(
            employee=plan_at("item-action-{pop.action}"),
            manager=plan_at("item-action-{pop.action}"),
            hr=plan_at("item-action-{pop.action}"),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "plans:plan-item",
        variant="action, htmx",
        kwargs={"kind": "action", "item_uuid": "pop.action"},
        htmx=True,
        get=by(employee=ok(ACTION), manager=ok(ACTION), hr=ok(ACTION), rest=404),
        post=NOT_POST,
    ),
    Row(
        "plans:plan-item",
        variant="employee's private note, htmx",
        kwargs={"kind": "note", "item_uuid": "pop.employee_note"},
        htmx=True,
        get=by(employee=ok(EMPLOYEE_NOTE), rest=404),
        post=NOT_POST,
    ),
    PLAN_COMPLIMENTS_ROW,
    replace(PLAN_COMPLIMENTS_ROW, variant="htmx", htmx=True, get=COMPLIMENT_PARTS),
    COMPLIMENT_ROW,
    replace(
        COMPLIMENT_ROW,
        variant="htmx",
        htmx=True,
        get=COMPLIMENT_PARTS,
        post=by(employee=403, manager=ok("Knap gedaan!"), hr=ok("Knap gedaan!"), rest=404),
    ),
    GAP_ASSESS_ROW,
    replace(
        GAP_ASSESS_ROW,
        variant="htmx",
        htmx=True,
        post=editors(
            ok("Zet beeldzorg zelfstandig in.", "Hoe zien jullie elk het huidige niveau?")
        ),
    ),
    ACTION_EDIT_ROW,
    replace(
        ACTION_EDIT_ROW,
        variant="action, htmx",
        htmx=True,
        post=editors(ok("E-learning beeldzorg en e-health")),
    ),
    Row(
        "plans:plan-item-edit",
        variant="ambition",
        kwargs={"kind": "ambition", "item_uuid": "pop.plan"},
        # The employee's ambition is hers alone to write.
        get=by(employee=ok(AMBITION), manager=403, hr=403, rest=404),
        post=by(employee=plan_at("item-ambition-{pop.plan}"), manager=403, hr=403, rest=404),
        data=lambda o, user: {
            "employee_ambition": "Wijkverpleegkundige e-health worden.",
            "version": o.pop.plan.version,
        },
        stored=lambda o, user: (
            _fresh(o.pop.plan).employee_ambition == "Wijkverpleegkundige e-health worden."
        ),
    ),
    Row(
        "plans:plan-item-edit",
        variant="employee's private note",
        kwargs={"kind": "note", "item_uuid": "pop.employee_note"},
        get=by(employee=ok(EMPLOYEE_NOTE), hr=403, rest=404),
        post=by(employee=plan_at("item-note-{pop.employee_note}"), hr=403, rest=404),
        data=lambda o, user: {"body": "Toch blijven.", "version": 1},
        stored=lambda o, user: _fresh(o.pop.employee_note).body == "Toch blijven.",
    ),
    Row(
        "plans:plan-item-delete",
        variant="step",
        kwargs={"kind": "step", "item_uuid": "pop.step"},
        get=NOT_GET,
        post=editors(plan_at("plan-actions")),
        data=lambda o, user: {"version": 1},
        stored=lambda o, user: not ActionStep.objects.filter(pk=o.pop.step.pk).exists(),
    ),
    Row(
        "plans:plan-item-delete",
        variant="employee's private note",
        kwargs={"kind": "note", "item_uuid": "pop.employee_note"},
        get=NOT_GET,
        post=by(employee=plan_at("plan-notes"), hr=403, rest=404),
        data=lambda o, user: {"version": 1},
        stored=lambda o, user: not PrivateNote.objects.filter(pk=o.pop.employee_note.pk).exists(),
    ),
    # --- Conversations: for their two parties only, not HR --------------------------------
    Row(
        "conversations:conversation-list",
        get=by(
            employee=ok("Jeroen de Vries"),
            manager=ok("Sanne Jansen"),
            rest=ok(hides=("Sanne Jansen",)),
        ),
        post=NOT_POST,
    ),
    Row(
        "conversations:conversation-new",
        # A manager plans one with a report; an employee asks their manager for one.
        get=by(employee=OK, colleague=OK, manager=OK, rest=404),
        post=by(
            employee=conversation_at(conversation=ANY),
            colleague=conversation_at(conversation=ANY),
            manager=conversation_at(conversation=ANY),
            rest=404,
        ),
        data=lambda o, user: (
            {
                "mode": "schedule",
                "employee": o.world.employee.uuid,
                "kind": "progress",
                "date": _in_days(14),
                "time": "10:00",
                "duration_minutes": "45",
                "location": "Kamer 1.02",
            }
            if user == o.world.manager
            else {"mode": "request", "kind": "development", "note": "Mijn POP bespreken."}
        ),
        stored=lambda o, user: Conversation.objects.filter(
            Q(manager=user, location="Kamer 1.02")
            | Q(requested_by=user, request_note="Mijn POP bespreken.")
        ).exists(),
    ),
    Row(
        "conversations:plan-fragment",
        # HR reads the plan, but not the conversations on it.
        get=by(
            employee=ok("Ontwikkelgesprek"),
            manager=ok("Ontwikkelgesprek"),
            hr=ok(hides=("Ontwikkelgesprek",)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "conversations:conversation-detail",
        variant="scheduled",
        # Before the start, each side sees only its own preparation.
        get=by(
            employee=ok(EMPLOYEE_ANSWER, hides=(MANAGER_ANSWER,)),
            manager=ok(MANAGER_ANSWER, hides=(EMPLOYEE_ANSWER,)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "conversations:conversation-detail",
        variant="held",
        kwargs={"conversation_uuid": "held"},
        get=by(
            employee=ok(EMPLOYEE_PRIVATE, hides=(MANAGER_PRIVATE,)),
            manager=ok(MANAGER_PRIVATE, hides=(EMPLOYEE_PRIVATE,)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "conversations:conversation-ics",
        get=parties(ICS),
        post=NOT_POST,
    ),
    Row(
        "conversations:conversation-report-pdf",
        kwargs={"conversation_uuid": "held"},
        # Agenda, shared notes and agreements for both; never anyone's private notes.
        get=parties(
            pdf("Sanne volgt de opleiding beeldzorg", hides=(EMPLOYEE_PRIVATE, MANAGER_PRIVATE))
        ),
        post=NOT_POST,
    ),
    Row(
        "conversations:conversation-reschedule",
        # The manager plans; the employee sees the conversation but may not move it.
        get=by(employee=403, manager=OK, rest=404),
        post=by(employee=403, manager=conversation_at(), rest=404),
        data=lambda o, user: {
            "date": _in_days(10),
            "time": "14:00",
            "duration_minutes": "45",
            "location": "Kamer 3.01",
        },
        stored=lambda o, user: _fresh(o.conversation).location == "Kamer 3.01",
    ),
    Row(
        "conversations:conversation-cancel",
        get=NOT_GET,
        post=by(employee=403, manager=conversation_at(), rest=404),
        stored=lambda o, user: _fresh(o.conversation).status == Conversation.Status.CANCELLED,
    ),
    Row(
        "conversations:conversation-held",
        kwargs={"conversation_uuid": "started"},
        get=NOT_GET,
        post=by(employee=403, manager=conversation_at(conversation="started"), rest=404),
        stored=lambda o, user: _fresh(o.started).status == Conversation.Status.HELD,
    ),
    AGENDA_ADD_ROW,
    replace(
        AGENDA_ADD_ROW,
        variant="htmx",
        htmx=True,
        post=parties(ok("Werkdruk in de avonddienst")),
    ),
    Row(
        "conversations:conversation-preparation",
        get=NOT_GET,
        post=parties(conversation_at("conv-preparation")),
        data=lambda o, user: {f"answer-{_question(o).pk}": "Meer tijd voor scholing."},
        stored=lambda o, user: PreparationAnswer.objects.filter(
            author=user, body="Meer tijd voor scholing."
        ).exists(),
    ),
    Row(
        "conversations:conversation-notes",
        get=NOT_GET,
        post=parties(conversation_at("conv-notes")),
        data=lambda o, user: {"body": "Afgesproken: minder avonddiensten.", "version": 1},
        stored=lambda o, user: SharedNote.objects.filter(
            conversation=o.conversation, body="Afgesproken: minder avonddiensten."
        ).exists(),
    ),
    Row(
        "conversations:conversation-private-note",
        get=NOT_GET,
        post=parties(conversation_at("conv-private-note")),
        data=lambda o, user: {"private-body": "Alleen voor mij.", "private-version": 1},
        stored=lambda o, user: ConversationPrivateNote.objects.filter(
            author=user, body="Alleen voor mij."
        ).exists(),
    ),
    Row(
        "conversations:conversation-agreement-add",
        get=NOT_GET,
        post=parties(conversation_at("conv-agreements")),
        data=lambda o, user: {
            "text": "Sanne volgt de cursus roosteren",
            "owner": o.world.employee.pk,
            "due_date": _in_days(60),
        },
        stored=lambda o, user: Agreement.objects.filter(
            created_by=user, text="Sanne volgt de cursus roosteren"
        ).exists(),
    ),
    Row(
        "conversations:conversation-agreement-plan",
        kwargs={"conversation_uuid": "held"},
        get=NOT_GET,
        post=parties(conversation_at("conv-agreements", conversation="held")),
        data=lambda o, user: {
            "target": f"gap:{o.pop.gap.uuid}",
            "make": "action",
            "kind": "training",
        },
        stored=lambda o, user: DevelopmentAction.objects.filter(
            plan=o.pop.plan, title=o.agreement.text
        ).exists(),
    ),
    Row(
        "conversations:conversation-agreement-done",
        kwargs={"conversation_uuid": "held"},
        get=NOT_GET,
        post=parties(conversation_at("conv-agreements", conversation="held")),
        data=lambda o, user: {"done": "1"},
        stored=lambda o, user: _fresh(o.agreement).status == Agreement.Status.DONE,
    ),
    Row(
        "conversations:team",
        # A manager's own reports; there is no team page for people without reports.
        get=by(
            manager=ok("Sanne Jansen", "Daan Visser"),
            other_manager=ok(hides=("Sanne Jansen",)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    # --- HR dashboard --------------------------------------------------------------------
    Row(
        "dashboards:alignment",
        # HR: the organisation; a manager: their own reports, as aggregates.
        get=by(
            manager=OK,
            other_manager=OK,
            hr=ok(ORG_GOAL),
            other_hr=ok(hides=(ORG_GOAL,)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "dashboards:alignment-csv",
        get=by(
            manager=CSV,
            other_manager=CSV,
            hr=csv(ORG_GOAL),
            other_hr=csv(hides=(ORG_GOAL,)),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "dashboards:alignment-refresh",
        get=NOT_GET,
        post=by(
            manager=to("dashboards:alignment", any_query=True),
            other_manager=to("dashboards:alignment", any_query=True),
            hr=to("dashboards:alignment", any_query=True),
            other_hr=to("dashboards:alignment", any_query=True),
            rest=404,
        ),
    ),
    Row(
        "dashboards:alignment-people",
        query="goal={cascade.org_goal}",
        # The named people behind a figure: HR of this organisation only (audited).
        get=by(hr=ok(ORG_GOAL), rest=404),
        post=NOT_POST,
    ),
]


# --- Roll-out: HR runs the organisation, sign-in, invitations (issue 15) ------------------


# HR of the organisation only; everyone else, HR of the other organisation included where
# the object is this organisation's, gets 404.
def hr_only(outcome: Outcome, other_hr: Outcome = 404) -> Outcomes:
    return by(hr=outcome, other_hr=other_hr, rest=404)


def _person_form(o: Objects, **changes) -> dict:
    employee = o.world.employee
    return {
        "full_name": employee.full_name,
        "email": employee.email,
        "job_title": "Wijkverpleegkundige",
        "unit": o.world.team.pk,
        "line_manager": o.world.manager.email,
        "language": "nl",
        **changes,
    }


def _import_fingerprint(o: Objects, user) -> dict:
    from people.imports import plan_import

    plan = plan_import(
        organisation=o.world.organisation,
        content=bytes(o.people_import.content),
        filename=o.people_import.filename,
        keep=user,
    )
    return {"fingerprint": plan.fingerprint}


def _upload(o: Objects, user) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b"email,name\nlater@zorg.test,Later Erbij\n"
    return {"file": SimpleUploadedFile("mensen.csv", content, content_type="text/csv")}


def _own_org(user) -> int | None:
    return user.organisation_id if user else None


SIGN_IN = "Inloginstellingen"
QUESTION = "Wat ging er goed sinds ons vorige gesprek?"  # the first progress question
QUESTION_LIST = to("conversations:question-list", anchor="kind-progress")
ROLLOUT_ROWS: list[Row] = [
    Row(
        "people:sign-in-settings",
        get=hr_only(ok(SIGN_IN), other_hr=ok(SIGN_IN)),
        post=hr_only(to("people:sign-in-settings"), other_hr=to("people:sign-in-settings")),
        data=lambda o, user: {"two_factor": "hr", "passwords_allowed": "on", "domains": ""},
        # Only HR's own organisation's settings change.
        stored=lambda o, user: (
            list(
                SignInSettings.objects.filter(two_factor="hr").values_list(
                    "organisation", flat=True
                )
            )
            == [_own_org(user)]
        ),
    ),
    Row(
        "people:person-list",
        get=hr_only(ok("Sanne Jansen"), other_hr=ok("Lotte Mulder", hides=("Sanne Jansen",))),
        post=NOT_POST,
    ),
    Row(
        "people:person-add",
        get=hr_only(OK, other_hr=OK),
        post=hr_only(
            to("people:person-detail", person_uuid=ANY),
            other_hr=to("people:person-detail", person_uuid=ANY),
        ),
        data=lambda o, user: {
            "full_name": "Ruben Nieuw",
            "email": f"ruben.{user.pk if user else 0}@nieuw.test",
            "language": "nl",
            "invite": "on",
        },
        stored=lambda o, user: User.objects.filter(
            full_name="Ruben Nieuw", organisation_id=_own_org(user), invitations__isnull=False
        ).exists(),
    ),
    Row(
        "people:people-invite",
        get=NOT_GET,
        # HR of the other organisation names Sanne, but only their own people are invited.
        post=hr_only(to("people:person-list"), other_hr=to("people:person-list")),
        data=lambda o, user: {"person": str(o.world.employee.uuid)},
        stored=lambda o, user: (
            Invitation.objects.filter(person=o.world.employee).exists()
            if user == o.world.hr
            else None
        ),
    ),
    Row(
        "people:people-import",
        get=hr_only(OK, other_hr=OK),
        post=hr_only(
            to("people:people-import-preview", import_uuid=ANY),
            other_hr=to("people:people-import-preview", import_uuid=ANY),
        ),
        data=_upload,
        stored=lambda o, user: PeopleImport.objects.filter(
            organisation_id=_own_org(user), filename="mensen.csv"
        ).exists(),
    ),
    Row(
        "people:people-import-preview",
        get=hr_only(ok("Nieuw Persoon", "Daan Visser-de Boer")),
        post=hr_only(to("people:person-list")),
        data=_import_fingerprint,
        stored=lambda o, user: (
            User.objects.filter(email="nieuw.persoon@zorg.test").exists()
            and _fresh(o.world.colleague).full_name == "Daan Visser-de Boer"
        ),
    ),
    Row(
        "people:person-detail",
        get=hr_only(ok("employee@zorg.test")),
        post=hr_only(to("people:person-detail", person_uuid="world.employee")),
        data=lambda o, user: _person_form(o, job_title="Senior wijkverpleegkundige"),
        stored=lambda o, user: _fresh(o.world.employee).job_title == "Senior wijkverpleegkundige",
    ),
    Row(
        "people:person-active",
        get=NOT_GET,
        post=hr_only(to("people:person-detail", person_uuid="world.employee")),
        data=lambda o, user: {"active": "0"},
        stored=lambda o, user: not _fresh(o.world.employee).is_active,
    ),
    Row(
        "people:person-invite",
        get=NOT_GET,
        post=hr_only(to("people:person-detail", person_uuid="world.employee")),
        stored=lambda o, user: Invitation.objects.filter(person=o.world.employee).exists(),
    ),
    Row(
        "people:unit-list",
        get=hr_only(ok("Wijkteam Noord"), other_hr=ok("Team Elders", hides=("Wijkteam Noord",))),
        post=hr_only(to("people:unit-list"), other_hr=to("people:unit-list")),
        data=lambda o, user: {"name": "Team West", "kind": "team"},
        stored=lambda o, user: OrgUnit.objects.filter(
            name="Team West", organisation_id=_own_org(user)
        ).exists(),
    ),
    Row(
        "people:unit-edit",
        get=hr_only(ok("Wijkteam Noord")),
        post=hr_only(to("people:unit-list")),
        data=lambda o, user: {
            "name": "Wijkteam Noord-Oost",
            "kind": "team",
            "parent": o.world.department.pk,
            "manager": o.world.manager.email,
        },
        stored=lambda o, user: _fresh(o.world.team).name == "Wijkteam Noord-Oost",
    ),
    Row(
        "people:unit-delete",
        kwargs={"unit_uuid": "empty_unit"},
        get=NOT_GET,
        post=hr_only(to("people:unit-list")),
        stored=lambda o, user: not OrgUnit.objects.filter(pk=o.empty_unit.pk).exists(),
    ),
    Row(
        "people:two-factor",
        # Everyone's own second factor; a POST without one set up changes nothing.
        get=by(rest=ok("Inloggen in twee stappen")),
        post=by(rest=ok("Inloggen in twee stappen")),
        data=lambda o, user: {"action": "new-codes"},
    ),
    # The second step of a password sign-in, public: without a pending sign-in, to sign in.
    Row(
        "two-factor-verify",
        get=by(rest=to("login"), anonymous=to("login")),
        post=by(rest=to("login"), anonymous=to("login")),
        data=lambda o, user: {"code": "123456"},
    ),
    Row(
        "two-factor-setup",
        get=by(rest=to("login"), anonymous=to("login")),
        post=by(rest=to("login"), anonymous=to("login")),
        data=lambda o, user: {"code": "123456"},
    ),
    # Daan's invitation: whoever has the link may choose his password (once), or ask HR
    # for a new link.
    Row(
        "invitation-accept",
        get=by(rest=ok("Welkom, Daan"), anonymous=ok("Welkom, Daan")),
        post=by(rest=to("login", any_query=True), anonymous=to("login", any_query=True)),
        data=lambda o, user: {
            "new_password1": "Een-lang-nieuw-wachtwoord-7",
            "new_password2": "Een-lang-nieuw-wachtwoord-7",
        },
        stored=lambda o, user: _fresh(o.world.colleague).check_password(
            "Een-lang-nieuw-wachtwoord-7"
        ),
    ),
    Row(
        "invitation-renew",
        get=PUBLIC_NOT,
        post=by(rest=ok("HR is gevraagd"), anonymous=ok("HR is gevraagd")),
        stored=lambda o, user: _fresh(o.invitation).renewal_requested_at is not None,
    ),
    # The single sign-on of an organisation that has none configured: not found.
    Row(
        "openid_connect_login",
        kwargs={"provider_id": "org-00000000000000000000000000000000"},
        get=by(rest=404, anonymous=404),
        post=by(rest=404, anonymous=404),
    ),
    Row(
        "openid_connect_callback",
        kwargs={"provider_id": "org-00000000000000000000000000000000"},
        get=by(rest=404, anonymous=404),
        post=by(rest=404, anonymous=404),
    ),
    # The organisation's conversation settings.
    Row(
        "conversations:question-list",
        get=hr_only(ok(QUESTION), other_hr=ok(hides=(QUESTION,))),
        post=hr_only(QUESTION_LIST, other_hr=QUESTION_LIST),
        data=lambda o, user: {
            "kind": "progress",
            "audience": "employee",
            "text_nl": "Waar ben je trots op?",
        },
        stored=lambda o, user: PreparationQuestion.objects.filter(
            organisation_id=_own_org(user), text_nl="Waar ben je trots op?"
        ).exists(),
    ),
    Row(
        "conversations:question-edit",
        get=hr_only(ok(QUESTION)),
        post=hr_only(to("conversations:question-list")),
        data=lambda o, user: {
            "audience": "both",
            "text_nl": "Wat ging er goed sinds vorige keer?",
            "text_en": "",
        },
        stored=lambda o, user: _fresh(o.question).text_nl == "Wat ging er goed sinds vorige keer?",
    ),
    Row(
        "conversations:question-move",
        get=NOT_GET,
        post=hr_only(QUESTION_LIST),
        data=lambda o, user: {"direction": "down"},
        stored=lambda o, user: _fresh(o.question).position == 1,
    ),
    Row(
        "conversations:question-active",
        get=NOT_GET,
        post=hr_only(QUESTION_LIST),
        data=lambda o, user: {"active": "0"},
        stored=lambda o, user: not _fresh(o.question).is_active,
    ),
    Row(
        "conversations:cadence-list",
        get=hr_only(ok("Wijkteam Noord"), other_hr=ok("Team Elders", hides=("Wijkteam Noord",))),
        post=NOT_POST,
    ),
    Row(
        "conversations:cadence-edit",
        get=hr_only(ok("Wijkteam Noord")),
        post=hr_only(to("conversations:cadence-list")),
        data=lambda o, user: {"checkin_cadence_weeks": "4"},
        stored=lambda o, user: UnitCadence.objects.filter(
            unit=o.world.team, checkin_cadence_weeks=4
        ).exists(),
    ),
]
ROWS += ROLLOUT_ROWS


# --- Integration: the API, SCIM, HR's integrations, notifications (issue 18) ------------------

# The ids in the REST API's and SCIM's URLs (plain text there, not Django UUID converters).
API_IDS = {"person_id", "unit_id", "goal_id", "plan_id", "conversation_id", "group_id"}
KWARGS.update(
    {
        "person_id": "world.employee",
        "unit_id": "world.team",
        "goal_id": "cascade.team_goal",
        "plan_id": "pop.plan",
        "conversation_id": "conversation",
        "group_id": "world.team",
        "name": "User",
        "urn": "urn:ietf:params:scim:schemas:core:2.0:User",
        "client_uuid": "api_client",
        "subscription_uuid": "subscription",
    }
)
# A signed-in browser is nobody to the API and SCIM: they answer their own bearer tokens
# (tests/integrations), whatever cookie comes along; 405 where the path has no such method.
TOKEN_ONLY = by(rest=401, anonymous=401)
TOKEN_NOT = by(rest=405, anonymous=405)
API_METHODS = {  # per operation name: (GET answers, POST answers)
    "person_list": (TOKEN_ONLY, TOKEN_ONLY),
    "person_add": (TOKEN_ONLY, TOKEN_ONLY),
    "person_read": (TOKEN_ONLY, TOKEN_NOT),
    "person_change": (TOKEN_ONLY, TOKEN_NOT),
    "person_deactivate": (TOKEN_NOT, TOKEN_ONLY),
    "unit_list": (TOKEN_ONLY, TOKEN_ONLY),
    "unit_add": (TOKEN_ONLY, TOKEN_ONLY),
    "unit_read": (TOKEN_ONLY, TOKEN_NOT),
    "unit_change": (TOKEN_ONLY, TOKEN_NOT),
    "unit_remove": (TOKEN_ONLY, TOKEN_NOT),
    "goal_list": (TOKEN_ONLY, TOKEN_ONLY),
    "goal_add": (TOKEN_ONLY, TOKEN_ONLY),
    "goal_read": (TOKEN_ONLY, TOKEN_NOT),
    "goal_change": (TOKEN_ONLY, TOKEN_NOT),
    "goal_check_in_add": (TOKEN_NOT, TOKEN_ONLY),
    "plan_list": (TOKEN_ONLY, TOKEN_NOT),
    "plan_read": (TOKEN_ONLY, TOKEN_NOT),
    "conversation_list": (TOKEN_ONLY, TOKEN_NOT),
    "conversation_read": (TOKEN_ONLY, TOKEN_NOT),
    "alignment": (TOKEN_ONLY, TOKEN_NOT),
}
SCIM_NAMES = ("config", "resource-types", "resource-type", "schemas", "schema", "users", "user")
SCIM_NAMES += ("groups", "group")
INTEGRATIONS = "Koppelingen"
OVERVIEW = to("integrations:overview")
MY_NOTIFICATIONS = to("integrations:my-notifications")
TOPICS = ("invitations", "reminders", "approvals", "agreements", "digests")


def _policy(o: Objects, user) -> dict:
    data = {f"{topic}-default": "email" for topic in TOPICS}
    return {
        **data,
        **{f"{topic}-minimum": "none" for topic in TOPICS},
        "invitations-minimum": "email",
    }


INTEGRATION_ROWS: list[Row] = [
    *(Row(f"api-v1:{name}", get=get, post=post) for name, (get, post) in API_METHODS.items()),
    # SCIM answers 401 to any method without its token (before it looks at the method).
    *(Row(f"scim-{name}", get=TOKEN_ONLY, post=TOKEN_ONLY) for name in SCIM_NAMES),
    Row(
        "integrations:api-schema",
        get=by(rest=json('"openapi": "3.1.0"'), anonymous=json('"openapi": "3.1.0"')),
        post=PUBLIC_NOT,
    ),
    Row(
        "integrations:api-docs",
        get=by(
            rest=ok("API-documentatie", "swagger-ui-bundle.js"), anonymous=ok("API-documentatie")
        ),
        post=PUBLIC_NOT,
    ),
    Row(
        "integrations:overview",
        get=by(
            hr=ok(INTEGRATIONS, "AFAS-koppeling", "https://hooks.zorg.test/pop"),
            other_hr=ok(INTEGRATIONS, hides=("AFAS-koppeling", "https://hooks.zorg.test/pop")),
            rest=404,
        ),
        post=NOT_POST,
    ),
    Row(
        "integrations:client-add",
        get=NOT_GET,
        # The token page (the token shown this once), for HR of either organisation.
        post=by(hr=ok("Het nieuwe token"), other_hr=ok("Het nieuwe token"), rest=404),
        data=lambda o, user: {"name": "Visma", "scopes": ["goals:read"], "allowed_networks": ""},
        stored=lambda o, user: ApiClient.objects.filter(
            name="Visma", organisation_id=_own_org(user)
        ).exists(),
    ),
    Row(
        "integrations:client-revoke",
        get=NOT_GET,
        post=hr_only(OVERVIEW),
        stored=lambda o, user: _fresh(o.api_client).revoked_at is not None,
    ),
    Row(
        "integrations:scim-token",
        get=NOT_GET,
        post=by(hr=ok("Tenant-URL"), other_hr=ok("Tenant-URL"), rest=404),
        stored=lambda o, user: ApiClient.objects.filter(
            kind="scim", organisation_id=_own_org(user)
        ).exists(),
    ),
    Row(
        "integrations:webhook-add",
        get=NOT_GET,
        post=by(
            hr=to("integrations:webhook-detail", subscription_uuid=ANY),
            other_hr=to("integrations:webhook-detail", subscription_uuid=ANY),
            rest=404,
        ),
        data=lambda o, user: {
            "url": "https://leerplatform.zorg.test/hook",
            "events": ["goal.approved"],
        },
        stored=lambda o, user: WebhookSubscription.objects.filter(
            url="https://leerplatform.zorg.test/hook", organisation_id=_own_org(user)
        ).exists(),
    ),
    Row(
        "integrations:webhook-detail",
        get=hr_only(ok("https://hooks.zorg.test/pop", "whsec_")),
        post=hr_only(to("integrations:webhook-detail", subscription_uuid="subscription")),
        data=lambda o, user: {"events": ["plan.agreed", "goal.achieved"], "active": "on"},
        stored=lambda o, user: _fresh(o.subscription).events == ["goal.achieved", "plan.agreed"],
    ),
    Row(
        "integrations:webhook-test",
        get=NOT_GET,
        post=hr_only(to("integrations:webhook-detail", subscription_uuid="subscription")),
        stored=lambda o, user: o.subscription.deliveries.filter(kind="test").exists(),
    ),
    Row(
        "integrations:webhook-delete",
        get=NOT_GET,
        post=hr_only(OVERVIEW),
        stored=lambda o, user: (
            not WebhookSubscription.objects.filter(pk=o.subscription.pk).exists()
        ),
    ),
    Row(
        "integrations:chat-set",
        get=NOT_GET,
        post=by(hr=OVERVIEW, other_hr=OVERVIEW, rest=404),
        data=lambda o, user: {"chat-service": "slack", "chat-url": "https://hooks.slack.test/org"},
        stored=lambda o, user: ChatChannel.objects.filter(
            organisation_id=_own_org(user), person=None, service="slack"
        ).exists(),
    ),
    Row(
        "integrations:chat-remove",
        get=NOT_GET,
        post=by(hr=OVERVIEW, other_hr=OVERVIEW, rest=404),
        stored=lambda o, user: (
            not ChatChannel.objects.filter(organisation_id=_own_org(user), person=None).exists()
        ),
    ),
    Row(
        "integrations:policy-save",
        get=NOT_GET,
        post=by(hr=OVERVIEW, other_hr=OVERVIEW, rest=404),
        data=_policy,
        stored=lambda o, user: TopicPolicy.objects.filter(
            organisation_id=_own_org(user), topic="invitations", minimum="email"
        ).exists(),
    ),
    Row(
        "integrations:my-notifications",
        get=by(rest=ok("Mijn meldingen")),
        post=by(rest=MY_NOTIFICATIONS),
        data=lambda o, user: dict.fromkeys(TOPICS, "in_app"),
        stored=lambda o, user: (
            NotificationChoice.objects.filter(person=user, delivery="in_app").count() == 5
        ),
    ),
    Row(
        "integrations:my-chat-set",
        get=NOT_GET,
        post=by(rest=MY_NOTIFICATIONS),
        data=lambda o, user: {"chat-service": "teams", "chat-url": "https://teams.zorg.test/eigen"},
        stored=lambda o, user: ChatChannel.objects.filter(person=user, service="teams").exists(),
    ),
    Row(
        "integrations:my-chat-remove",
        get=NOT_GET,
        post=by(rest=MY_NOTIFICATIONS),
        stored=lambda o, user: not ChatChannel.objects.filter(person=user).exists(),
    ),
]
ROWS += INTEGRATION_ROWS


def _question(objects: Objects) -> PreparationQuestion:
    return PreparationQuestion.objects.filter(
        organisation=objects.world.organisation, kind=objects.conversation.kind
    ).first()


# --- Feedback: the employee's anonymous request about her gap, asked of Noor (the
# answerer persona) and two others; nobody has answered yet. HR never sees a request.
FEEDBACK = to("feedback:request-detail", request_uuid="feedback")
ANSWER_PAGE = to("feedback:answer", invitation_uuid="feedback_invitation")
FEEDBACK_SETTINGS = to("feedback:settings")
ASKED_OF_NOOR = "Sanne Jansen: Digitale vaardigheden"
FEEDBACK_QUESTION = "Wat zie je mij al goed doen op dit gebied?"
ONLY_NOOR = by(rest=404)
FEEDBACK_ROWS = [
    Row(
        "feedback:feedback-list",
        get=by(
            employee=ok(COMPETENCY, "0 van 3", hides=("Noor Bos",)),
            manager=ok(COMPETENCY, hides=("Noor Bos",)),
            rest=ok(hides=(COMPETENCY,)),
        ),
        post=NOT_POST,
        answerer=(ok(ASKED_OF_NOOR), 405),
    ),
    Row(
        "feedback:feedback-ask",
        get=editors(ok(COMPETENCY, "Noor Bos")),
        post=editors(to("feedback:request-detail", request_uuid=ANY)),
        data=lambda o, user: {
            "items": [f"gap:{o.pop.gap.uuid}"],
            "people": [o.answerer.pk, o.world.colleague.pk, o.world.other_manager.pk],
            "anonymous": "on",
            "due_date": _in_days(10),
        },
        stored=lambda o, user: FeedbackRequest.objects.filter(asked_by=user).exists(),
        answerer=(404, 404),
    ),
    Row(
        "feedback:upward-new",
        # A manager of reports for themself, HR for any manager; nobody else (404).
        get=by(manager=ok("Jeroen de Vries"), hr=OK, rest=404),
        # Jeroen has two reports, fewer than the floor of 3: refused, with the reason.
        post=by(manager=ok("minstens 3"), hr=ok("minstens 3"), rest=404),
        data=lambda o, user: {"manager": o.world.manager.pk, "due_date": _in_days(10)},
        answerer=(404, 404),
    ),
    Row(
        "feedback:request-detail",
        get=by(
            employee=ok(COMPETENCY, "below-floor", hides=("Noor Bos",)),
            manager=ok(COMPETENCY, "not-shared", hides=("Noor Bos",)),
            rest=404,
        ),
        post=NOT_POST,
        answerer=(404, 405),
    ),
    Row(
        "feedback:request-extend",
        get=NOT_GET,
        # Whoever asked (here the employee) may move the due date; her manager reads only.
        post=by(employee=FEEDBACK, manager=403, rest=404),
        data=lambda o, user: {"due_date": _in_days(30)},
        stored=lambda o, user: _fresh(o.feedback).due_date.isoformat() == _in_days(30),
        answerer=(405, 404),
    ),
    Row(
        "feedback:request-share",
        get=NOT_GET,
        post=by(employee=FEEDBACK, manager=403, rest=404),
        data=lambda o, user: {"shared": "1"},
        stored=lambda o, user: _fresh(o.feedback).shared_with_manager,
        answerer=(405, 404),
    ),
    Row(
        "feedback:answer",
        get=ONLY_NOOR,
        post=NOT_POST,
        answerer=(ok(COMPETENCY, "Anoniem", hides=("Beeldzorg is de toekomst",)), 405),
    ),
    Row(
        "feedback:answer-save",
        htmx=True,
        get=NOT_GET,
        post=ONLY_NOOR,
        data=lambda o, user: {
            "question": o.feedback.questions.first().pk,
            "body": "Sanne legt beeldbellen geduldig uit.",
            "version": 1,
        },
        stored=lambda o, user: o.feedback_invitation.answers.filter(
            body="Sanne legt beeldbellen geduldig uit."
        ).exists(),
        answerer=(405, ok("Opgeslagen")),
    ),
    Row(
        "feedback:answer-decline",
        get=NOT_GET,
        post=ONLY_NOOR,
        stored=lambda o, user: _fresh(o.feedback_invitation).status == "declined",
        answerer=(405, ANSWER_PAGE),
    ),
    Row(
        "feedback:settings",
        get=by(hr=ok(FEEDBACK_QUESTION), other_hr=OK, rest=404),
        post=by(hr=FEEDBACK_SETTINGS, other_hr=FEEDBACK_SETTINGS, rest=404),
        data=lambda o, user: {"form": "policy", "anonymity_floor": 4},
        stored=lambda o, user: FeedbackPolicy.objects.filter(
            organisation_id=user.organisation_id, anonymity_floor=4
        ).exists(),
        answerer=(404, 404),
    ),
    Row(
        "feedback:question-edit",
        kwargs={"question_uuid": "feedback_question"},
        get=by(hr=ok(FEEDBACK_QUESTION), rest=404),
        post=by(hr=FEEDBACK_SETTINGS, rest=404),
        data=lambda o, user: {"text_nl": "Wat doe ik al goed?", "text_en": "What do I do well?"},
        stored=lambda o, user: _fresh(o.feedback_question).text_nl == "Wat doe ik al goed?",
        answerer=(404, 404),
    ),
    Row(
        "feedback:question-active",
        kwargs={"question_uuid": "feedback_question"},
        get=NOT_GET,
        post=by(hr=FEEDBACK_SETTINGS, rest=404),
        stored=lambda o, user: not _fresh(o.feedback_question).is_active,
        answerer=(405, 404),
    ),
]
ROWS += FEEDBACK_ROWS


ALL_PATTERNS: dict[str, URLPattern] = dict(named_patterns(get_resolver()))
# Every named URL of ours, and the admin's front door.
PATTERNS = {
    name: pattern
    for name, pattern in ALL_PATTERNS.items()
    if not name.startswith("admin:") or name == "admin:index"
}


# --- The tests --------------------------------------------------------------------------


def test_every_url_has_a_row():
    missing = sorted(set(PATTERNS) - {row.name for row in ROWS})
    assert not missing, (
        "URL patterns without a row in ROWS (tests/security/test_authorization_matrix.py): "
        f"{', '.join(missing)}. Add a Row per URL with what each persona may do there, "
        "for GET and for POST, and the objects its kwargs point at."
    )
    unknown = sorted({row.name for row in ROWS} - set(PATTERNS))
    assert not unknown, f"Rows for URLs that no longer exist: {', '.join(unknown)}"


def test_every_url_kwarg_names_an_object():
    for row in ROWS:
        kwargs = {**KWARGS, **row.kwargs}
        missing = set(PATTERNS[row.name].pattern.converters) - set(kwargs)
        assert not missing, f"{row.id}: say which object {', '.join(missing)} points at"


def _makes_pdf(row: Row) -> bool:
    return any(isinstance(o, Page) and o.content_type == "application/pdf" for o in row.get)


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, id=row.id, marks=[pytest.mark.pdf] if _makes_pdf(row) else [])
        for row in ROWS
    ],
)
def test_url(row: Row, objects: Objects, browsers):
    before = domain_state()  # the same before every request: each one is rolled back
    problems = []
    for method, outcomes in (("GET", row.get), ("POST", row.post)):
        for persona, expected in zip(PERSONAS, outcomes, strict=True):
            browser = browsers[persona]
            problems += check(row, method, persona, expected, objects, browser, before=before)
    for method, expected in zip(("GET", "POST"), row.answerer or ("", ""), strict=True):
        if not row.answerer:
            break
        browser = browsers["answerer"]
        problems += check(row, method, "answerer", expected, objects, browser, before=before)
    assert not problems, "\n".join(problems)


def test_every_feedback_row_names_the_answerer():
    missing = [row.id for row in ROWS if row.name.startswith("feedback:") and not row.answerer]
    assert not missing, f"Say what the answerer gets at {', '.join(missing)}"


def check(
    row, method, persona, expected, objects, browser, *, csrf="field", before=None
) -> list[str]:
    """Send ``row``'s request as ``persona`` and list what differs from ``expected``.

    ``csrf``: how a POST carries the token: as the form field (``"field"``), in the
    ``X-CSRFToken`` header as htmx sends it (``"header"``), or not at all (``"none"``).
    ``before``: the domain tables' state before the request, when the caller has it.
    """
    client, token = browser
    user = _personas(objects)[persona]
    url = row.url(objects)
    headers = {"HTTP_HX_REQUEST": "true"} if row.htmx else {}
    where = f"{row.id}: {method} {url} as {persona}" + (
        f" (CSRF: {csrf})" if method == "POST" else ""
    )
    mail.outbox = []
    cache.clear()  # counters (the password-reset limits) start at zero for each request
    with rolled_back(client):
        before = before or domain_state()
        if method == "GET":
            response = client.get(url, **headers)
        else:
            data = row.data(objects, user) if row.data else {}
            if csrf == "field":
                data["csrfmiddlewaretoken"] = token
            elif csrf == "header":
                headers["HTTP_X_CSRFTOKEN"] = token
            response = client.post(url, data, **headers)
        problems = outcome_problems(expected, response, url, objects, htmx=row.htmx)
        problems += header_problems(response, signed_in=user is not None)
        changed = changed_tables(before, domain_state())
        stored = row.stored(objects, user) if success(expected) and row.stored else None
        if method == "GET" or stored is None:
            if changed:
                problems.append(f"changed {', '.join(changed)}")
        elif not stored:
            problems.append("did not store what it should have")
    return [f"{where}: {problem}" for problem in problems]


def success(expected: Outcome) -> bool:
    return isinstance(expected, Page | To)


def outcome_problems(expected, response, url, objects, *, htmx) -> list[str]:
    status = response.status_code
    location = response.get("Location", "")
    got = f"got {status}{' to ' + location if location else ''}"
    if isinstance(expected, int):
        return [] if status == expected else [f"expected {expected}, {got}"]
    if isinstance(expected, Login):
        # htmx would put a followed 302's sign-in page in the fragment: the whole page goes.
        status_wanted, location = (
            (200, response.get("HX-Redirect", "")) if htmx else (302, location)
        )
        split = urlsplit(location)
        back = unquote(split.query.removeprefix("next="))
        if status == status_wanted and split.path == reverse("login") and back == url:
            return []
        how = "HX-Redirect" if htmx else "redirect"
        return [
            f"expected a {how} to sign in and back, {got}{' to ' + location if location else ''}"
        ]
    if isinstance(expected, To):
        target = expected.pattern(objects)
        if status == 302 and re.fullmatch(target, location):
            return []
        return [f"expected a redirect to {target}, {got}"]
    if status != 200:
        return [f"expected 200, {got}"]
    problems = []
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(expected.content_type):
        problems.append(f"expected {expected.content_type}, got {content_type}")
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if expected.content_type == "application/pdf" and (expected.shows or expected.hides):
        body = pdf_text(raw)
    else:
        body = raw.decode(errors="replace")
    if htmx and expected.content_type == "text/html" and "<html" in body:
        problems.append("htmx asked for a fragment but got a whole page")
    problems += [f"does not show {text!r}" for text in expected.shows if text not in body]
    problems += [f"shows {text!r}" for text in expected.hides if text in body]
    return problems


def test_the_headers_are_checked_on_every_kind_of_response():
    """Pages, htmx fragments, PDFs, CSV, ICS, JSON, redirects, 403/404/405 and the
    sign-in page: the matrix expects each somewhere, and checks every response's
    security headers (``header_problems``)."""
    seen = set()
    for row in ROWS:
        for outcome in row.get + row.post:
            if isinstance(outcome, Page):
                seen.add(("fragment" if row.htmx else "page", outcome.content_type))
            else:
                seen.add(outcome if isinstance(outcome, int) else type(outcome).__name__)
    assert seen >= {
        ("page", "text/html"),
        ("fragment", "text/html"),
        ("page", "application/pdf"),
        ("page", "text/csv"),
        ("page", "text/calendar"),
        ("page", "application/json"),
        "To",
        "Login",
        403,
        404,
        405,
    }
    assert any(row.name == "login" for row in ROWS)


def test_matrix_size():
    """URLs x personas x methods, for the record (``-s`` prints it)."""
    names = {row.name for row in ROWS}
    answerer = 2 * sum(1 for row in ROWS if row.answerer)
    print(
        f"authorisation matrix: {len(names)} URLs ({len(ROWS)} rows) × {len(PERSONAS)} "
        f"personas × 2 methods + {answerer} as the feedback answerer = "
        f"{len(ROWS) * len(PERSONAS) * 2 + answerer} requests"
    )
    assert len(names) == len(PATTERNS)


def test_the_admin_is_for_staff(objects):
    """The admin's one row: staff get in (the personas above are not staff)."""
    staff = UserFactory(
        organisation=objects.world.organisation, is_staff=True, email="beheer@zorg.test"
    )
    client, _token = signed_in_client(staff)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "POP Platform-beheer" in response.content.decode()
    assert not header_problems(response, signed_in=True)
