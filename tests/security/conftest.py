"""One object of every kind the URLs take, built once per test module.

Building the personas, a plan, a goal cascade and two conversations takes longer than the
requests of one URL, so the security tests build them once per module inside a
transaction that is rolled back at the end, and every request runs in a savepoint of its
own that is rolled back after its checks (``rolled_back``): each persona meets the same
data, and nothing leaks from one test into the next.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from conversations.models import Agreement, Conversation, PreparationQuestion
from conversations.services import conversation_schedule
from feedback.models import FeedbackQuestion, FeedbackRequest
from feedback.models import Invitation as FeedbackInvitation
from feedback.services import questions_of, request_create
from integrations.services import api_client_create, chat_channel_set, subscription_create
from people.models import (
    ApiClient,
    Invitation,
    Notification,
    OrgUnit,
    PeopleImport,
    User,
    WebhookSubscription,
)
from plans.models import ActionStep, PlanExport, PlanVersion
from plans.selectors import plan_content, plan_snapshot
from tests.conftest import World, make_world
from tests.conversations.conftest import in_days, make_conversation, make_held, start_it
from tests.factories import NotificationFactory, UserFactory
from tests.goals.conftest import Cascade, make_cascade
from tests.plans.conftest import Pop, make_pop

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The people file awaiting confirmation: one new person, one change.
PEOPLE_FILE = (
    "email;name;unit;manager_email\n"
    "nieuw.persoon@zorg.test;Nieuw Persoon;Zorg/Wijkteam Noord;manager@zorg.test\n"
    "colleague@zorg.test;Daan Visser-de Boer;Zorg/Wijkteam Noord;manager@zorg.test\n"
)


@dataclass
class Objects:
    """Every object a URL of ours can point at, named for the matrix's kwarg mapping."""

    world: World
    pop: Pop  # the employee's plan with a gap, an action, a step and both private notes
    cascade: Cascade  # organisation, team and individual goals (private, draft, proposed)
    conversation: Conversation  # scheduled in a week, both sides prepared
    started: Conversation  # a check-in that started an hour ago, not yet marked held
    held: Conversation  # held an hour ago: agenda, shared notes, private notes, agreements
    agreement: Agreement  # an open agreement of the held conversation
    notification: Notification  # in the employee's inbox
    export: PlanExport  # a finished PDF of the plan
    question: PreparationQuestion  # the first preparation question of a progress conversation
    people_import: PeopleImport  # an uploaded people file awaiting HR's confirmation
    empty_unit: OrgUnit  # a unit without people or sub-units (HR may remove it)
    invitation: Invitation  # Daan's pending invitation (its link: the ``token`` kwarg)
    api_client: ApiClient  # HR's API client for the HR system
    subscription: WebhookSubscription  # HR's webhook, with one delivery
    version: PlanVersion  # version 1 of the plan, agreed by both (the plan is a draft again)
    answerer: User  # Noor Bos (another team), asked for feedback on the employee's gap
    feedback: FeedbackRequest  # the employee's anonymous request about her gap, unanswered
    feedback_invitation: FeedbackInvitation  # Noor's invitation to answer it
    feedback_question: FeedbackQuestion  # the organisation's first question about a gap

    def named(self, path: str):
        """``"pop.plan"``, ``"cascade.draft"``, ``"held"``: the object a URL kwarg names."""
        found = self
        for part in path.split("."):
            found = getattr(found, part)
        return found


def make_objects() -> Objects:
    world = make_world()
    pop = make_pop(world)
    # A completed step, to be complimented (issue 19).
    ActionStep.objects.filter(pk=pop.step.pk).update(done_on=datetime.date(2026, 3, 2))
    cascade = make_cascade(world)
    conversation = make_conversation(world)
    earlier = conversation_schedule(
        manager=world.manager, employee=world.employee, kind="progress", starts_at=in_days(2)
    )
    held = make_held(world, earlier)
    started = start_it(
        conversation_schedule(
            manager=world.manager, employee=world.employee, kind="check_in", starts_at=in_days(1)
        )
    )
    notification = NotificationFactory(
        recipient=world.employee,
        title="Jeroen de Vries gaf akkoord op je POP",
        link=pop.plan.get_absolute_url(),
    )
    export = PlanExport.objects.create(
        plan=pop.plan,
        requested_by=world.employee,
        language="nl",
        fingerprint="an-older-version",
        status=PlanExport.Status.DONE,
        pages=1,
        finished_at=held.starts_at + datetime.timedelta(hours=2),
    )
    export.file.save("pop-sanne.pdf", ContentFile(b"%PDF-1.7\n% de POP van Sanne\n"), save=True)
    people_import = PeopleImport.objects.create(
        organisation=world.organisation,
        uploaded_by=world.hr,
        filename="medewerkers.csv",
        content=PEOPLE_FILE.encode(),
    )
    question = (
        PreparationQuestion.objects.filter(organisation=world.organisation, kind="progress")
        .order_by("position", "id")
        .first()
    )
    empty_unit = OrgUnit.objects.create(
        organisation=world.organisation, parent=world.department, name="Team Opgeheven"
    )
    invitation = Invitation.objects.create(
        person=world.colleague,
        invited_by=world.hr,
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )
    api_client, _token = api_client_create(
        organisation=world.organisation, by=world.hr, name="AFAS-koppeling", scopes=["people:read"]
    )
    subscription = subscription_create(
        organisation=world.organisation,
        by=world.hr,
        url="https://hooks.zorg.test/pop",
        events=["plan.agreed"],
    )
    chat_channel_set(
        organisation=world.organisation,
        by=world.hr,
        service="teams",
        url="https://teams.zorg.test/x",
    )
    chat_channel_set(
        organisation=world.organisation,
        by=world.employee,
        person=world.employee,
        service="slack",
        url="https://hooks.slack.test/sanne",
    )
    version = PlanVersion.objects.create(
        plan=pop.plan,
        number=1,
        snapshot=plan_snapshot(plan=plan_content(plan_id=pop.plan.pk, comments=False)),
        employee_agreed_at=export.finished_at,
        manager_agreed_at=export.finished_at,
        manager=world.manager,
    )
    answerer, *others = (
        UserFactory(
            organisation=world.organisation,
            unit=world.other_team,
            full_name=name,
            email=f"{name.split()[0].lower()}@zorg.test",
        )
        for name in ("Noor Bos", "Ruben Dekker", "Eva Smits")
    )
    questions_of(world.organisation, "gap", create=True)  # HR may reword them
    feedback = request_create(
        plan=pop.plan,
        by=world.employee,
        items=[pop.gap],
        people=[answerer, *others],
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        anonymous=True,
        share_description=False,
    )
    return Objects(
        answerer=answerer,
        feedback=feedback,
        feedback_invitation=feedback.invitations.get(person=answerer),
        feedback_question=FeedbackQuestion.objects.filter(
            organisation=world.organisation, subject="gap"
        )
        .order_by("position")
        .first(),
        version=version,
        world=world,
        api_client=api_client,
        subscription=subscription,
        invitation=invitation,
        question=question,
        people_import=people_import,
        empty_unit=empty_unit,
        pop=pop,
        cascade=cascade,
        conversation=conversation,
        started=started,
        held=held,
        agreement=held.agreements.get(owner=world.employee),
        notification=notification,
        export=export,
    )


@pytest.fixture(scope="module")
def objects(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Objects]:
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHER),
        transaction.atomic(),
    ):
        yield make_objects()
        transaction.set_rollback(True)


@contextmanager
def rolled_back(*clients: Client) -> Iterator[None]:
    """Run a request and its checks, then undo what it stored and the cookies it set."""
    jars = [client.cookies for client in clients]
    for client in clients:
        client.cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        for client, jar in zip(clients, jars, strict=True):
            client.cookies = jar


# --- Domain data, for "no state change" -----------------------------------------------

# Tables a GET (or a refused POST) may change: bookkeeping, not domain data.
BOOKKEEPING = {
    "people.AuditEvent": "reads of someone else's plan or figures are audited",
    "plans.PlanVisit": "the plan page remembers the visit for 'since your last visit'",
    "dashboards.AlignmentSnapshot": "dashboard figures are computed on first view and cached",
    "sessions.Session": "every request moves the session's idle limit",
    "axes.AccessAttempt": "failed sign-ins, counted for the lockout",
    "axes.AccessFailureLog": "failed sign-ins, counted for the lockout",
    "axes.AccessLog": "sign-ins and sign-outs",
    "axes.AccessAttemptExpiration": "when counted failed sign-ins expire",
}


def _domain_models() -> list:
    return [
        model
        for model in apps.get_models()
        if model._meta.label not in BOOKKEEPING and model._meta.managed and not model._meta.proxy
    ]


def domain_state() -> dict[str, str]:
    """A fingerprint of every row of every table except ``BOOKKEEPING``, by model label.

    On PostgreSQL one query hashes each table's rows (all columns); elsewhere the rows
    are read and compared as they are.
    """
    models = _domain_models()
    if connection.vendor != "postgresql":
        return {
            model._meta.label: repr(list(model._base_manager.order_by("pk").values_list()))
            for model in models
        }
    quote = connection.ops.quote_name  # the names are our models' tables, not input
    sql = " UNION ALL ".join(
        f"SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) "  # noqa: S608
        f"FROM {quote(model._meta.db_table)} t"
        for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.label for model in models])
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


# --- Security headers -----------------------------------------------------------------

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def header_problems(response, *, signed_in: bool) -> list[str]:
    """What is missing of the foundation's security headers on ``response``."""
    problems = [
        f"{name}: {response.get(name)!r}, not {value!r}"
        for name, value in HEADERS.items()
        if response.get(name) != value
    ]
    csp = response.get("Content-Security-Policy", "")
    if not all(part in csp for part in ("default-src 'self'", "frame-ancestors 'none'")) or (
        "unsafe-" in csp
    ):
        problems.append(f"Content-Security-Policy: {csp!r}")
    cache = response.get("Cache-Control", "")
    if signed_in and not ("no-store" in cache and "private" in cache):
        problems.append(f"Cache-Control of a personal response: {cache!r}")
    return problems


# --- Clients ------------------------------------------------------------------------

TOKEN = re.compile(r'"X-CSRFToken": "(?P<token>[^"]+)"')


def signed_in_client(user) -> tuple[Client, str]:
    """A browser as ``user`` (None: a visitor) that checks CSRF like production, with
    the token its first page gave it (base.html's ``hx-headers``)."""
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    page = client.get(reverse("dashboards:home" if user else "login"))
    match = TOKEN.search(page.content.decode())
    assert match, "base.html puts the CSRF token in hx-headers on <body>"
    return client, match["token"]


@pytest.fixture(scope="module")
def browsers(objects) -> dict[str, tuple[Client, str]]:
    """Each persona's browser with its CSRF token, signed in once for the module."""
    personas = {**objects.world.personas(), "answerer": objects.answerer}
    return {persona: signed_in_client(user) for persona, user in personas.items()}
