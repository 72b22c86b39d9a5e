"""Reminders: which are due at a given moment, once per slot, at 09:00 local time also
across the daylight-saving switches, and how one is sent (in-app and e-mail)."""

import datetime
import zoneinfo

import pytest
from django.core import mail

from conversations import messages, reminders
from conversations.models import (
    Agreement,
    Conversation,
    PreparationAnswer,
    ReminderDelivery,
    UnitCadence,
)
from people.models import Notification, OutgoingMessage
from people.tasks import outbox_deliver
from plans.models import DevelopmentAction
from tests.factories import GoalFactory
from tests.integration.harness import free_port
from tests.people.test_notifications import retries_in_process  # noqa: F401 (fixture)

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC
Kind = ReminderDelivery.Kind


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def _conversation(world, local_start: datetime.datetime, **fields) -> Conversation:
    """A conversation at a fixed moment (in the past or future of the real clock)."""
    return Conversation.objects.create(
        organisation=world.organisation,
        employee=world.employee,
        manager=world.manager,
        kind=fields.pop("kind", "development"),
        starts_at=local_start,
        **fields,
    )


def _sweep_every_five_minutes(
    start: datetime.datetime, end: datetime.datetime
) -> list[datetime.datetime]:
    moments, now = [], start
    while now <= end:
        reminders.reminders_sweep(now=now)
        moments.append(now)
        now += datetime.timedelta(minutes=5)
    return moments


@pytest.mark.parametrize(
    ("local_start", "expected_utc"),
    [
        # Back to winter time on Sunday 2026-10-25: 09:00 CET is 08:00 UTC (it was 07:00).
        (datetime.datetime(2026, 10, 28, 10, 0, tzinfo=AMS), at(2026, 10, 25, 8, 0)),
        # Summer time from Sunday 2027-03-28: 09:00 CEST is 07:00 UTC (it was 08:00).
        (datetime.datetime(2027, 3, 31, 10, 0, tzinfo=AMS), at(2027, 3, 28, 7, 0)),
    ],
)
def test_upcoming_reminder_is_sent_once_at_nine_local_across_the_dst_switch(
    world, local_start, expected_utc
):
    assert world.organisation.reminder_lead_days == 3
    conversation = _conversation(world, local_start)
    day = expected_utc.date()
    _sweep_every_five_minutes(
        at(day.year, day.month, day.day, 0, 0) - datetime.timedelta(hours=2),
        at(day.year, day.month, day.day, 12, 0),
    )
    upcoming = ReminderDelivery.objects.filter(kind=Kind.UPCOMING, object_id=conversation.pk)
    assert sorted(d.recipient_id for d in upcoming) == sorted([world.employee.pk, world.manager.pk])
    assert {d.due_slot for d in upcoming} == {expected_utc}
    assert {d.due_slot.astimezone(AMS).time() for d in upcoming} == {datetime.time(9, 0)}
    # A minute before the slot nothing is due; at the slot it is.
    ReminderDelivery.objects.all().delete()
    reminders.reminders_sweep(now=expected_utc - datetime.timedelta(minutes=1))
    assert not ReminderDelivery.objects.filter(kind=Kind.UPCOMING).exists()
    reminders.reminders_sweep(now=expected_utc)
    assert ReminderDelivery.objects.filter(kind=Kind.UPCOMING).count() == 2


@pytest.mark.parametrize("due", [datetime.date(2026, 10, 28), datetime.date(2027, 3, 31)])
def test_action_due_reminder_across_dst_is_not_doubled_or_skipped(world, pop, due):
    action = DevelopmentAction.objects.filter(pk=pop.action.pk)
    action.update(due_date=due, start_date=None)
    switch = due - datetime.timedelta(days=3)
    _sweep_every_five_minutes(
        at(switch.year, switch.month, switch.day, 0, 0),
        at(switch.year, switch.month, switch.day, 12, 0),
    )
    (delivery,) = ReminderDelivery.objects.filter(kind=Kind.ACTION_DUE)
    assert delivery.due_slot.astimezone(AMS) == datetime.datetime.combine(
        switch, datetime.time(9), tzinfo=AMS
    )
    assert delivery.recipient == world.employee


def test_a_second_sweep_at_the_same_moment_creates_nothing(world):
    conversation = _conversation(world, datetime.datetime(2026, 12, 10, 10, tzinfo=AMS))
    now = at(2026, 12, 9, 9, 0)  # after both slots (7 and 9 December, 09:00 local)
    first = reminders.reminders_sweep(now=now)
    second = reminders.reminders_sweep(now=now)
    assert first and second == []
    kinds = sorted(
        ReminderDelivery.objects.filter(
            object_id=conversation.pk, object_type="conversation"
        ).values_list("kind", flat=True)
    )
    assert kinds == [Kind.PREPARATION, Kind.PREPARATION, Kind.UPCOMING, Kind.UPCOMING]


def test_preparation_reminder_only_for_who_did_not_prepare(world):
    conversation = _conversation(world, datetime.datetime(2026, 12, 10, 10, tzinfo=AMS))
    question = world.organisation.preparation_questions.create(
        kind="development", text_nl="Vraag", text_en="Question"
    )
    PreparationAnswer.objects.create(
        conversation=conversation, question=question, author=world.employee, body="Klaar"
    )
    reminders.reminders_sweep(now=at(2026, 12, 9, 8, 0))  # 09:00 local the day before
    assert list(
        ReminderDelivery.objects.filter(kind=Kind.PREPARATION).values_list(
            "recipient_id", flat=True
        )
    ) == [world.manager.pk]


def test_notes_missing_after_a_held_conversation_goes_to_the_manager(world):
    _conversation(
        world,
        datetime.datetime(2026, 12, 10, 10, tzinfo=AMS),
        status="held",
        held_at=at(2026, 12, 10, 10, 0),
    )
    reminders.reminders_sweep(now=at(2026, 12, 11, 7, 59))
    assert not ReminderDelivery.objects.filter(kind=Kind.NOTES_MISSING).exists()
    reminders.reminders_sweep(now=at(2026, 12, 11, 8, 0))
    (delivery,) = ReminderDelivery.objects.filter(kind=Kind.NOTES_MISSING)
    assert delivery.recipient == world.manager
    # With an agreement nothing is missing: a second held conversation gets none.
    other = _conversation(
        world,
        datetime.datetime(2026, 12, 12, 10, tzinfo=AMS),
        status="held",
        held_at=at(2026, 12, 12, 10, 0),
    )
    Agreement.objects.create(conversation=other, text="Afspraak", owner=world.employee)
    reminders.reminders_sweep(now=at(2026, 12, 13, 9, 0))
    assert not ReminderDelivery.objects.filter(kind=Kind.NOTES_MISSING, object_id=other.pk).exists()


def test_goal_due_reminder(world):
    goal = GoalFactory(
        owner_person=world.employee,
        due_date=datetime.date(2026, 12, 20),
        start_date=datetime.date(2026, 1, 1),
    )
    reminders.reminders_sweep(now=at(2026, 12, 17, 8, 0))
    (delivery,) = ReminderDelivery.objects.filter(kind=Kind.GOAL_DUE)
    assert (delivery.recipient, delivery.object_id) == (world.employee, goal.pk)


def test_weekly_digest_and_cadence_overdue_on_monday_morning(world):
    # Nobody had a conversation: a check-in every 6 weeks is overdue for both reports.
    for person in (world.employee, world.colleague):
        person.date_joined = at(2025, 1, 1, 0, 0)
        person.save(update_fields=["date_joined"])
    monday = at(2026, 12, 7, 8, 0)  # 09:00 local
    reminders.reminders_sweep(now=monday - datetime.timedelta(minutes=5))
    assert not ReminderDelivery.objects.filter(
        kind__in=[Kind.DIGEST, Kind.CADENCE_OVERDUE]
    ).exists()
    reminders.reminders_sweep(now=monday)
    reminders.reminders_sweep(now=monday + datetime.timedelta(hours=3))
    digests = ReminderDelivery.objects.filter(kind=Kind.DIGEST)
    assert [d.recipient for d in digests] == [world.manager]
    overdue = ReminderDelivery.objects.filter(kind=Kind.CADENCE_OVERDUE)
    assert sorted(d.object_id for d in overdue) == sorted([world.employee.pk, world.colleague.pk])
    assert {d.recipient for d in overdue} == {world.manager}


def test_a_unit_override_changes_who_is_overdue(world):
    for person in (world.employee, world.colleague):
        person.date_joined = at(2026, 10, 1, 0, 0)
        person.save(update_fields=["date_joined"])
    # 6 weeks after 1 October is mid November: overdue on 7 December ...
    UnitCadence.objects.create(unit=world.team, checkin_cadence_weeks=12)  # ... not with 12 weeks
    reminders.reminders_sweep(now=at(2026, 12, 7, 8, 0))
    assert not ReminderDelivery.objects.filter(kind=Kind.CADENCE_OVERDUE).exists()


def test_a_delivery_goes_to_the_inbox_and_by_email_in_the_recipients_language(
    world, django_capture_on_commit_callbacks
):
    world.manager.language = "en"
    world.manager.save(update_fields=["language"])
    conversation = _conversation(
        world, datetime.datetime(2030, 10, 28, 10, 0, tzinfo=AMS), location="Kamer 2.14"
    )
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=at(2030, 10, 25, 8, 0))
    upcoming = OutgoingMessage.objects.filter(kind="reminder_upcoming", channel="email")
    assert upcoming.count() == 2
    assert all(m.sent_at and m.attempts == 1 for m in upcoming)
    by_address = {
        m.to[0]: m
        for m in mail.outbox
        if "ontwikkelgesprek" in m.subject.lower() or "development" in m.subject.lower()
    }
    nl, en = by_address[world.employee.email], by_address[world.manager.email]
    assert nl.subject == "Binnenkort: ontwikkelgesprek met Jeroen de Vries"
    assert "maandag 28 oktober 2030, 10:00" in nl.body and "Kamer 2.14" in nl.body
    assert f"/conversations/{conversation.uuid}/" in nl.body
    assert en.subject == "Coming up: development conversation with Sanne Jansen"
    assert "Monday 28 October 2030, 10:00" in en.body
    html = en.alternatives[0][0]
    assert '<html lang="en">' in html and "Open the conversation" in html
    assert en.attachments[0].get_filename() == "invitation.ics"
    inbox = Notification.objects.get(recipient=world.employee, kind="reminder_upcoming")
    assert inbox.link == conversation.get_absolute_url()
    # Sending again (a redelivered task) sends nothing more.
    count = len(mail.outbox)
    for message in upcoming:
        assert outbox_deliver(message.pk) is False
    assert len(mail.outbox) == count
    assert Notification.objects.filter(kind="reminder_upcoming").count() == 2


def test_a_reminder_whose_reason_went_away_is_skipped(world):
    conversation = _conversation(world, datetime.datetime(2030, 10, 28, 10, 0, tzinfo=AMS))
    reminders.reminders_sweep(now=at(2030, 10, 25, 8, 0))
    Conversation.objects.filter(pk=conversation.pk).update(status="cancelled")
    email = OutgoingMessage.objects.filter(kind="reminder_upcoming", channel="email").first()
    assert outbox_deliver(email.pk) is False
    email.refresh_from_db()
    assert email.skipped and email.sent_at
    assert mail.outbox == []


def test_smtp_failures_are_recorded_and_given_up_after_bounded_retries(
    world,
    settings,
    retries_in_process,  # noqa: F811
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.TASK_MAX_RETRIES = 2
    _conversation(world, datetime.datetime(2030, 10, 28, 10, 0, tzinfo=AMS))
    reminders.reminders_sweep(now=at(2030, 10, 25, 8, 0))
    delivery = OutgoingMessage.objects.filter(kind="reminder_upcoming", channel="email").first()
    result = outbox_deliver.apply(args=[delivery.pk], throw=False)
    assert result.failed()
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.sent_at is None
    assert delivery.last_error.startswith("ConnectionRefusedError:")
    assert delivery.failed_at is not None
    # The in-app message was created once, not once per attempt.
    assert (
        Notification.objects.filter(recipient=delivery.recipient, kind="reminder_upcoming").count()
        == 1
    )


def test_failed_deliveries_are_visible_in_the_admin(world, client):
    from people.models import User

    admin = User.objects.create_superuser(email="admin@zorg.test", password="x", full_name="Beheer")
    conversation = _conversation(world, datetime.datetime(2030, 10, 28, 10, 0, tzinfo=AMS))
    OutgoingMessage.objects.create(
        kind="reminder_upcoming",
        channel="email",
        recipient=world.employee,
        context=messages.conversation_context(conversation, world.employee.pk),
        attempts=6,
        last_error="SMTPServerDisconnected: weg",
        failed_at=at(2030, 10, 25, 9, 0),
    )
    client.force_login(admin)
    html = client.get("/admin/people/outgoingmessage/?state=failed").content.decode()
    assert "Sanne Jansen" in html and "6" in html
    assert "Binnenkort: ontwikkelgesprek met Jeroen de Vries" in html


def test_beat_runs_the_sweep_and_the_outbox_requeue_every_five_minutes(settings):
    from conversations.tasks import reminders_sweep
    from people.tasks import outbox_requeue

    schedule = settings.CELERY_BEAT_SCHEDULE
    entry = schedule["reminders-sweep"]
    assert (entry["task"], entry["schedule"]) == (reminders_sweep.name, 300)
    entry = schedule["outbox-requeue"]
    assert (entry["task"], entry["schedule"]) == (outbox_requeue.name, 300)
    assert outbox_deliver.acks_late and outbox_deliver.reject_on_worker_lost


def test_weekly_digest_and_overdue_emails_say_what_needs_attention(
    world, pop, django_capture_on_commit_callbacks
):
    for person in (world.employee, world.colleague):
        person.date_joined = at(2025, 1, 1, 0, 0)
        person.save(update_fields=["date_joined"])
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_sweep(now=reminders.week_slot(at(2030, 6, 12, 9, 0), AMS))
    digest = next(m for m in mail.outbox if m.subject == "Je team deze week")
    assert digest.to == [world.manager.email]
    assert (
        "Sanne Jansen: te laat: check-in, ontwikkelgesprek; 1 ontwikkelactie over de datum"
        in digest.body
    )
    assert "/team/" in digest.body
    overdue = sorted(m.subject for m in mail.outbox if m.subject.startswith("Een gesprek met"))
    assert overdue == [
        "Een gesprek met Daan Visser is te laat",
        "Een gesprek met Sanne Jansen is te laat",
    ]
    sanne = next(m for m in mail.outbox if m.subject == "Een gesprek met Sanne Jansen is te laat")
    assert f"/conversations/new/?employee={world.employee.uuid}" in sanne.body
