"""Payloads in every free-text field a person can fill, for the tests that read them back
(``tests/pop_platform/test_stored_text.py``, ``tests/browser/test_stored_text.py``).

The fields: the models' CharField/TextField that a model form exposes (found by walking
the forms), those behind plain forms (``PLAIN_FORM_FIELDS``, kept complete by a test),
and those the people import and the admin fill. Each stored text starts with a label
(``<b>X07X``) that tells which field it is, then markup that would run script, an image on
a local listener, a ``javascript:`` link and line breaks that would start a new e-mail
header or calendar event.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django import forms
from django.db import models
from django.utils import timezone

from conversations import forms as conversation_forms
from conversations import services as conversation_services
from conversations.forms import (
    AgendaItemForm,
    AgreementForm,
    NoteForm,
    PreparationForm,
    RequestForm,
    ScheduleForm,
    WhenForm,
)
from conversations.models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    PreparationAnswer,
    PreparationQuestion,
    SharedNote,
)
from feedback import forms as feedback_forms
from feedback import services as feedback_services
from feedback.models import Answer, Compliment, FeedbackQuestion, FeedbackRequest
from goals import forms as goal_forms
from goals.models import Goal, GoalUpdate
from people import forms as people_forms
from people.models import Organisation, OrgUnit, SignInSettings, User
from plans import forms as plan_forms
from plans.models import (
    ActionStep,
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    LevelAssessment,
    PlanComment,
    PrivateNote,
)
from tests.conversations.conftest import in_days, start_it
from tests.factories import GoalFactory

SCRIPT = "<script>window.__x=1</script>"
IMG = '<img src=x onerror="window.__x=2">'
SVG = "\"'><svg onload=window.__x=3>"
RAW = (SCRIPT, "<img src=x", "<svg onload", "<b>X")


def payload(label: str, base: str, max_length: int | None) -> str:
    """The longest hostile text for ``label`` that fits the column."""
    tagged = f"<b>{label}"  # shown as "<b>X01X" where the text is taken literally
    candidates = [
        f'{tagged} {SCRIPT}{IMG}{SVG} <img src="{base}/{label}.png"> javascript:alert(1)'
        f"\r\nBcc: evil@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT {base}/{label}",
        f"{tagged} {SCRIPT}{IMG}{SVG} javascript:alert(1)\r\nBcc: evil@example.com",
        f"{tagged} {SCRIPT}{SVG}",
        f"{tagged}<svg onload=window.__x=3>",
    ]
    return next(text for text in candidates if max_length is None or len(text) <= max_length)


# --- Which fields people can fill ----------------------------------------------------------

FORM_MODULES = (people_forms, goal_forms, plan_forms, conversation_forms, feedback_forms)
# Plain (not model) forms: their text fields and the model fields they end up in.
PLAIN_FORM_FIELDS = {
    (goal_forms.ReviewForm, "comment"): [(Goal, "review_comment")],
    (goal_forms.ReturnForm, "comment"): [(Goal, "review_comment")],
    (goal_forms.AssignForm, "title"): [(Goal, "title")],
    (goal_forms.GoalFilterForm, "q"): [],  # a search, never stored
    (people_forms.AuditFilterForm, "whose"): [],  # the audit trail's filters: searches
    (people_forms.AuditFilterForm, "who"): [],
    (plan_forms.CommentForm, "body"): [(PlanComment, "body")],
    (WhenForm, "location"): [(Conversation, "location")],
    (ScheduleForm, "location"): [(Conversation, "location")],
    (RequestForm, "note"): [(Conversation, "request_note")],
    (AgendaItemForm, "text"): [(AgendaItem, "text")],
    (NoteForm, "body"): [(SharedNote, "body"), (ConversationPrivateNote, "body")],
    (AgreementForm, "text"): [(Agreement, "text")],
    (PreparationForm, "answer-<question>"): [(PreparationAnswer, "body")],
    # HR runs the organisation (issue 15).
    (people_forms.TwoFactorCodeForm, "code"): [],  # checked, never stored
    (people_forms.PeopleFilterForm, "q"): [],  # a search
    (people_forms.PersonForm, "full_name"): [(User, "full_name")],
    (people_forms.PersonForm, "job_title"): [(User, "job_title")],
    (people_forms.PersonAddForm, "full_name"): [(User, "full_name")],
    (people_forms.PersonAddForm, "job_title"): [(User, "job_title")],
    (people_forms.UnitForm, "name"): [(OrgUnit, "name")],
    (people_forms.SignInSettingsForm, "provider_name"): [(SignInSettings, "provider_name")],
    (people_forms.SignInSettingsForm, "client_id"): [(SignInSettings, "client_id")],
    (people_forms.SignInSettingsForm, "issuer"): [(SignInSettings, "issuer")],
    (people_forms.SignInSettingsForm, "domains"): [],  # checked as domain names
    (conversation_forms.PreparationQuestionForm, "text_nl"): [(PreparationQuestion, "text_nl")],
    (conversation_forms.PreparationQuestionForm, "text_en"): [(PreparationQuestion, "text_en")],
    (conversation_forms.PreparationQuestionAddForm, "text_nl"): [(PreparationQuestion, "text_nl")],
    (conversation_forms.PreparationQuestionAddForm, "text_en"): [(PreparationQuestion, "text_en")],
    (people_forms.QuestionTextForm, "text_nl"): [
        (PreparationQuestion, "text_nl"),
        (FeedbackQuestion, "text_nl"),
    ],
    (people_forms.QuestionTextForm, "text_en"): [
        (PreparationQuestion, "text_en"),
        (FeedbackQuestion, "text_en"),
    ],
    (feedback_forms.QuestionForm, "text_nl"): [(FeedbackQuestion, "text_nl")],
    (feedback_forms.QuestionForm, "text_en"): [(FeedbackQuestion, "text_en")],
    (feedback_forms.QuestionAddForm, "text_nl"): [(FeedbackQuestion, "text_nl")],
    (feedback_forms.QuestionAddForm, "text_en"): [(FeedbackQuestion, "text_en")],
    (feedback_forms.AskForm, "message"): [(FeedbackRequest, "message")],
    (feedback_forms.AnswerForm, "body"): [(Answer, "body")],
    (feedback_forms.ComplimentForm, "text"): [(Compliment, "text")],
    (plan_forms.AssessmentForm, "reason"): [(LevelAssessment, "reason")],
}
# Filled through the people import (HR's CSV) and the Django admin.
IMPORT_FIELDS = [(User, "full_name"), (User, "job_title"), (OrgUnit, "name")]
ADMIN_FIELDS = [(Organisation, "name")]


def _model_form_text_fields() -> set[tuple[type[models.Model], str]]:
    found = set()
    for module in FORM_MODULES:
        for value in vars(module).values():
            if not (isinstance(value, type) and issubclass(value, forms.ModelForm)):
                continue
            meta = getattr(value, "Meta", None)
            if meta is None or not getattr(meta, "model", None):
                continue
            for name in meta.fields:
                field = meta.model._meta.get_field(name)
                if isinstance(field, models.CharField | models.TextField) and not field.choices:
                    found.add((meta.model, name))
    return found


def exposed_fields() -> list[tuple[type[models.Model], str]]:
    found = _model_form_text_fields()
    for targets in PLAIN_FORM_FIELDS.values():
        found.update(targets)
    found.update(IMPORT_FIELDS + ADMIN_FIELDS)
    return sorted(found, key=lambda pair: (pair[0]._meta.label, pair[1]))


@dataclass
class Stored:
    labels: dict[str, tuple[type[models.Model], str]]
    base: str
    hits: list[str]
    conversation: Conversation  # scheduled, next week
    held: Conversation
    unlinked_goal: Goal
    feedback: FeedbackRequest  # named, about the employee's gap; the colleague answered

    def label_of(self, model: type[models.Model], field: str) -> str:
        return next(label for label, pair in self.labels.items() if pair == (model, field))


@pytest.fixture
def stored(world, pop, conversation, listener) -> Stored:
    base, hits = listener
    labels = {f"X{number:02d}X": pair for number, pair in enumerate(exposed_fields(), start=1)}
    values = {
        pair: payload(label, base, pair[0]._meta.get_field(pair[1]).max_length)
        for label, pair in labels.items()
    }
    ActionStep.objects.filter(pk=pop.step.pk).update(done_on=timezone.localdate())
    unlinked = GoalFactory(
        level="team", owner_unit=world.team, metric="none", start_value=None, target_value=None
    )
    check_in = GoalUpdate.objects.create(goal=pop.goal, confidence=7, author=world.employee)
    held = conversation_services.conversation_schedule(
        manager=world.manager, employee=world.employee, kind="progress", starts_at=in_days(1)
    )
    start_it(held)
    question = conversation.organisation.preparation_questions.filter(kind="progress").first()
    feedback = feedback_services.request_create(
        plan=pop.plan,
        by=world.employee,
        items=[pop.gap],
        people=[world.colleague],
        due_date=in_days(7).date(),
        anonymous=False,
        share_description=False,
    )
    answer = feedback_services.answer_save(
        invitation=feedback.invitations.get(),
        question=feedback.questions.first(),
        by=world.colleague,
        body="-",
        score=None,
        expected_version=1,
    )
    rows = {
        Goal: [pop.goal, pop.team_goal, pop.org_goal, unlinked],
        GoalUpdate: [check_in],
        DevelopmentPlan: [pop.plan],
        Competency: [pop.competency],
        CompetencyGap: [pop.gap],
        DevelopmentAction: [pop.action],
        ActionStep: [pop.step],
        PlanComment: list(PlanComment.objects.all()),
        PrivateNote: [pop.employee_note, pop.manager_note],
        Conversation: [conversation, held],
        AgendaItem: [
            AgendaItem.objects.create(conversation=c, author=world.employee, text="-")
            for c in (conversation, held)
        ],
        PreparationAnswer: [
            PreparationAnswer.objects.create(
                conversation=held, question=question, author=world.employee, body="-"
            )
        ],
        SharedNote: [SharedNote.objects.create(conversation=c) for c in (conversation, held)],
        ConversationPrivateNote: [
            ConversationPrivateNote.objects.create(conversation=held, author=person)
            for person in (world.employee, world.manager)
        ],
        Agreement: [
            Agreement.objects.create(conversation=c, text="-", owner=world.employee)
            for c in (conversation, held)
        ],
        User: [world.employee],
        OrgUnit: [world.team],
        Organisation: [world.organisation],
        PreparationQuestion: [question],
        SignInSettings: [SignInSettings.objects.create(organisation=world.organisation)],
        FeedbackRequest: [feedback],
        Answer: [answer],
        LevelAssessment: [
            LevelAssessment.objects.create(
                gap=pop.gap, side=side, author=author, level=2, reason="-", sequence=1
            )
            for side, author in (("employee", world.employee), ("manager", world.manager))
        ],
        Compliment: [
            Compliment.objects.create(
                organisation=world.organisation,
                giver=world.manager,
                receiver=world.employee,
                step=pop.step,
                text="-",
            )
        ],
        FeedbackQuestion: [
            feedback_services.questions_of(world.organisation, "gap", create=True)[0]
        ],
    }
    for (model, name), value in values.items():
        for row in rows[model]:
            if model is Goal and name == "not_linked_reason" and row.parent_id:
                continue  # a linked goal has no reason
            setattr(row, name, value)
    for model, objects in rows.items():
        names = [name for (owner, name) in values if owner is model]
        for row in objects:
            type(row).objects.filter(pk=row.pk).update(
                **{name: getattr(row, name) for name in names}
            )
    conversation_services.conversation_mark_held(conversation=held, by=world.manager)
    for model_rows in rows.values():
        for row in model_rows:
            row.refresh_from_db()
    return Stored(
        labels=labels,
        base=base,
        hits=hits,
        conversation=conversation,
        held=held,
        unlinked_goal=unlinked,
        feedback=feedback,
    )
