"""The feedback app's part of the personal data export, the retention job and the audit
trail; registered in ``FeedbackConfig.ready()``.

Feedback about a colleague is personal data of both: of the person it is about and of the
person who wrote it. Each gets their own part:

- the person it is about: the requests about them and the answers as they may read them
  on the request's page (named: with the author; anonymous: merged, without names, sorted
  by text, and only once the floor was reached);
- the person who answered: whom they were asked about and their own answers, anonymous
  ones included (they are their own words).

The retention job removes the leaver's name from the feedback they gave (the answers stay,
unattributed) and deletes the feedback asked about the leaver.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from people import audit, privacy
from people.models import Organisation, User

from .access import requests_visible_to
from .models import Answer, FeedbackQuestion, FeedbackRequest, Invitation
from .selectors import results
from .services import AUDIT_TYPE


def _request_links(viewer: User, object_ids: list[str]) -> dict[str, str]:
    return audit.links_by_uuid(
        requests_visible_to(viewer), object_ids, "feedback:request-detail", "request_uuid"
    )


def _received(person: User) -> privacy.Section:
    """The answers to feedback about ``person``, as their page shows them."""
    rows = []
    requests = FeedbackRequest.objects.filter(about=person).select_related("organisation")
    for feedback in requests:
        outcome = results(feedback)
        if not outcome.shown:
            continue
        for result in outcome.questions:
            if feedback.anonymous:
                texts = sorted(result.texts)  # by text: the order says nothing of who wrote
                answers = [("", text, None) for text in texts]
                answers += [("", "", score) for score in sorted(result.scores)]
            else:
                answers = [(a.author, a.body, a.score) for a in result.answers]
            for author, body, score in answers:
                rows.append(
                    {
                        "id": str(feedback.uuid),
                        "question": result.question.text,
                        "author": author or str(_("anonymous")),
                        "answer": body,
                        "score": score,
                    }
                )
    columns = [
        privacy.Column(name, str(label))
        for name, label in (
            ("id", _("Reference")),
            ("question", _("Question")),
            ("author", _("Written by")),
            ("answer", _("Answer")),
            ("score", _("Score")),
        )
    ]
    return privacy.Section(
        model="feedback.Answer",
        title=str(_("Feedback answers about you")),
        explanation=str(
            _("Answers to anonymous requests have no names and are sorted by their text.")
        ),
        columns=columns,
        rows=rows,
    )


def _export(person: User) -> list[privacy.Section]:
    records = privacy.records
    return [
        records(
            FeedbackRequest.objects.filter(about=person).select_related("asked_by"),
            ("kind", "anonymous", "asked_by", "message", "due_date", "shared_with_manager"),
            model=FeedbackRequest,
            title=_("Feedback asked about you"),
        ),
        _received(person),
        records(
            FeedbackRequest.objects.filter(asked_by=person).exclude(about=person),
            ("kind", "about", "anonymous", "due_date"),
            model=FeedbackRequest,
            title=_("Feedback you asked about others"),
        ),
        records(
            Invitation.objects.filter(person=person).select_related("request__about"),
            (("request.about", _("about")), "status"),
            model=Invitation,
            title=_("Feedback you were asked for"),
        ),
        records(
            Answer.objects.filter(invitation__person=person)
            .select_related("question", "invitation__request__about")
            .order_by("invitation__request_id", "question__position"),
            (
                ("invitation.request.about", _("about")),
                ("question.text", _("question")),
                "body",
                "score",
            ),
            model=Answer,
            title=_("Your feedback answers"),
            explanation=_("Your own words, anonymous answers included."),
        ),
    ]


def _anonymise(people: list[User]) -> None:
    """The leavers' names leave the feedback they gave; feedback about them goes."""
    Invitation.objects.filter(person__in=people).update(person=None)
    FeedbackRequest.objects.filter(about__in=people).delete()
    FeedbackRequest.objects.filter(asked_by__in=people).update(asked_by=None)


def _organisation_delete(organisation: Organisation) -> None:
    FeedbackRequest.objects.filter(organisation=organisation).delete()
    FeedbackQuestion.objects.filter(organisation=organisation).delete()


FEEDBACK = privacy.PersonalData(
    app="feedback",
    covers={
        "feedback.FeedbackRequest": ("about", "asked_by"),
        "feedback.Invitation": ("person",),
    },
    export=_export,
    anonymise=_anonymise,
    organisation_delete=_organisation_delete,
)


def register() -> None:
    privacy.register(FEEDBACK)
    audit.register_object_type(
        AUDIT_TYPE,
        _("feedback"),
        parts={
            "page": _("feedback request"),
            "answers": _("feedback answers"),
            "ask": _("feedback asked"),
        },
        links=_request_links,
    )
    audit.register_object_type("feedback question", _("feedback question"))
