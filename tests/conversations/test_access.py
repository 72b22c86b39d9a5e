"""The permission matrix: every conversations URL and htmx endpoint, every persona.

A conversation belongs to its employee and manager; everyone else (colleague, another
manager, HR, another organisation's HR) gets 404, anonymous visitors the sign-in page.
The manager's part (reschedule, cancel, mark held) answers 403 to the employee.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Agreement, ConversationPrivateNote, PreparationAnswer
from conversations.services import agreement_add
from people.models import AuditEvent
from tests.conftest import sends_to_sign_in

from .conftest import EMPLOYEE_ANSWER, MANAGER_ANSWER

PARTIES = {"employee", "manager"}
OUTSIDERS = {"colleague", "other_manager", "hr", "other_hr"}


def _next_year() -> str:
    """A date that stays in the future whenever the suite runs."""
    return (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


def _url(name, conversation, **extra):
    return reverse(
        f"conversations:{name}", kwargs={"conversation_uuid": conversation.uuid, **extra}
    )


def _expected(persona: str, *, ok: int, manager_only: bool = False) -> int:
    if persona == "anonymous":
        return 302
    if persona in OUTSIDERS:
        return 404
    if manager_only and persona == "employee":
        return 403
    return ok


READS = [
    ("conversation-detail", False),
    ("conversation-ics", False),
    ("conversation-reschedule", True),
]


@pytest.mark.parametrize(
    "persona", ["employee", "colleague", "manager", "other_manager", "hr", "other_hr", "anonymous"]
)
@pytest.mark.parametrize(("name", "manager_only"), READS)
def test_reading_a_conversation(world, conversation, as_user, persona, name, manager_only):
    user = world.personas()[persona]
    response = as_user(user).get(_url(name, conversation))
    assert response.status_code == _expected(persona, ok=200, manager_only=manager_only)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


def _writes(world, conversation, pop):
    agreement = Agreement.objects.get(text="Bestaande afspraak")
    question = conversation.organisation.preparation_questions.filter(kind="development").first()
    return [
        ("conversation-agenda-add", {}, {"text": "Werkdruk"}, False),
        ("conversation-preparation", {}, {f"answer-{question.pk}": "Antwoord"}, False),
        ("conversation-notes", {}, {"body": "Notities", "version": 1}, False),
        ("conversation-private-note", {}, {"private-body": "Prive", "private-version": 1}, False),
        ("conversation-agreement-add", {}, {"text": "Nieuwe", "owner": world.employee.pk}, False),
        (
            "conversation-agreement-plan",
            {"agreement_uuid": agreement.uuid},
            {"target": f"gap:{pop.gap.uuid}", "kind": "training", "make": "action"},
            False,
        ),
        ("conversation-agreement-done", {"agreement_uuid": agreement.uuid}, {"done": "1"}, False),
        (
            "conversation-reschedule",
            {},
            {"date": _next_year(), "time": "10:00", "duration_minutes": 60},
            True,
        ),
        ("conversation-held", {}, {}, True),
        ("conversation-cancel", {}, {}, True),
    ]


@pytest.mark.parametrize(
    "persona", ["employee", "colleague", "manager", "other_manager", "hr", "other_hr", "anonymous"]
)
@pytest.mark.parametrize("htmx", [False, True])
def test_every_write_endpoint(world, pop, conversation, as_user, persona, htmx):
    agreement_add(
        conversation=conversation, by=world.manager, text="Bestaande afspraak", owner=world.employee
    )
    user = world.personas()[persona]
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for name, extra, data, manager_only in _writes(world, conversation, pop):
        client = as_user(user)
        response = client.post(_url(name, conversation, **extra), data, **headers)
        expected = _expected(
            persona, ok=200 if htmx and not manager_only else 302, manager_only=manager_only
        )
        if persona == "anonymous":
            assert sends_to_sign_in(response), name
        else:
            assert response.status_code == expected, (name, persona, response.status_code)
        if htmx and expected == 200:
            html = response.content.decode()
            assert "<html" not in html and 'id="conv-' in html, name
    if persona in OUTSIDERS | {"anonymous"}:
        assert not ConversationPrivateNote.objects.exists()
        assert not conversation.agenda_items.filter(text="Werkdruk").exists()


@pytest.mark.parametrize(
    "name",
    [
        "conversation-cancel",
        "conversation-held",
        "conversation-agenda-add",
        "conversation-preparation",
        "conversation-notes",
        "conversation-private-note",
        "conversation-agreement-add",
    ],
)
def test_state_changes_refuse_get(world, conversation, as_user, name):
    assert as_user(world.manager).get(_url(name, conversation)).status_code == 405


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("employee", 200),
        ("manager", 200),
        ("colleague", 200),
        ("other_manager", 200),
        ("hr", 200),
        ("other_hr", 200),
        ("anonymous", 302),
    ],
)
def test_list_is_everyones_own(world, conversation, as_user, persona, status):
    user = world.personas()[persona]
    response = as_user(user).get(reverse("conversations:conversation-list"))
    assert response.status_code == status
    if status == 200:
        listed = conversation.get_absolute_url() in response.content.decode()
        assert listed == (persona in PARTIES)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("employee", 404),
        ("colleague", 404),
        ("manager", 200),
        ("other_manager", 200),
        ("hr", 404),
        ("other_hr", 404),
        ("anonymous", 302),
    ],
)
def test_team_is_for_managers(world, conversation, as_user, persona, status):
    response = as_user(world.personas()[persona]).get(reverse("conversations:team"))
    assert response.status_code == status
    if persona == "manager":
        html = response.content.decode()
        assert "Sanne Jansen" in html and "Daan Visser" in html
    if persona == "other_manager":
        assert "Sanne Jansen" not in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    # Managers schedule; employees with a line manager ask. HR here has neither.
    [
        ("employee", 200),
        ("colleague", 200),
        ("manager", 200),
        ("other_manager", 404),
        ("hr", 404),
        ("other_hr", 404),
        ("anonymous", 302),
    ],
)
def test_new_conversation_page(world, as_user, persona, status):
    assert (
        as_user(world.personas()[persona])
        .get(reverse("conversations:conversation-new"))
        .status_code
        == status
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("employee", 200),
        ("colleague", 404),
        ("manager", 200),
        ("other_manager", 404),
        ("hr", 200),
        ("other_hr", 404),
        ("anonymous", 302),
    ],
)
def test_plan_fragment(world, pop, conversation, as_user, persona, status):
    url = reverse("conversations:plan-fragment", kwargs={"plan_uuid": pop.plan.uuid})
    response = as_user(world.personas()[persona]).get(url, HTTP_HX_REQUEST="true")
    if persona == "anonymous":
        assert sends_to_sign_in(response)
        return
    assert response.status_code == status
    if status == 200:
        shown = conversation.get_absolute_url() in response.content.decode()
        assert shown == (persona in PARTIES)  # HR reads the plan, not the conversations


def test_preparation_answers_stay_hidden_from_the_other_side_before_the_start(
    world, conversation, as_user
):
    for persona, own, other in (
        ("employee", EMPLOYEE_ANSWER, MANAGER_ANSWER),
        ("manager", MANAGER_ANSWER, EMPLOYEE_ANSWER),
    ):
        html = (
            as_user(world.personas()[persona]).get(conversation.get_absolute_url()).content.decode()
        )
        assert own in html and other not in html
    assert PreparationAnswer.objects.count() == 2


def test_private_notes_never_leave_their_author(world, conversation, as_user, mailoutbox):
    ConversationPrivateNote.objects.create(
        conversation=conversation, author=world.employee, body="Geheime twijfel"
    )
    for persona in ("manager", "colleague", "hr"):
        client = as_user(world.personas()[persona])
        for url in (
            conversation.get_absolute_url(),
            reverse("conversations:conversation-list"),
            _url("conversation-ics", conversation),
        ):
            assert b"Geheime twijfel" not in client.get(url).content
    assert all("Geheime twijfel" not in m.body for m in mailoutbox)


def test_hr_reads_nothing_and_leaves_no_trace(world, conversation, as_user):
    """HR has no access to conversation content (a documented choice): 404, not an
    audited read."""
    before = AuditEvent.objects.count()
    assert as_user(world.hr).get(conversation.get_absolute_url()).status_code == 404
    assert AuditEvent.objects.count() == before
