"""Invitations: one e-mail per invitation (a message of the outbox) at least once and only
once, a link made when it is sent that works once and for 14 days, renewal through HR; the
password reset for people without a password."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from people.invitations import (
    State,
    invitation_summary,
    invitations_send,
    with_invitation_state,
)
from people.models import Invitation, Notification, OutgoingMessage, SignInSettings, User
from people.outbox import message_render
from people.sso import sign_in_configure
from people.tasks import outbox_deliver
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(world):
    person = UserFactory(
        organisation=world.organisation,
        unit=world.team,
        email="nieuw@zorg.test",
        full_name="Nina Nieuw",
        language="nl",
    )
    person.set_unusable_password()
    person.save()
    return person


def _invite(person, by, capture) -> Invitation:
    with capture(execute=True):
        (invitation,) = invitations_send(people=[person], by=by)
    return invitation


def _link(message) -> str:
    return re.search(r"http://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)


def test_the_invitation_email_is_in_the_persons_language_and_sets_a_password_once(
    world, newcomer, client, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    invitation = _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["nieuw@zorg.test"]
    assert message.subject == "Je uitnodiging voor POP Platform van Zorggroep Test"
    assert "Kies je wachtwoord: http" in message.body
    # The link is made when the e-mail goes out: the outbox row does not hold it.
    stored = OutgoingMessage.objects.get(kind="invitation", recipient=newcomer)
    assert stored.context == {"invitation": invitation.uuid.hex} and stored.link == ""
    link = _link(message)
    page = client.get(link)
    assert "Welkom, Nina" in page.content.decode()
    response = client.post(
        link, {"new_password1": "Lente-in-Tiel-2027", "new_password2": "Lente-in-Tiel-2027"}
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?email=nieuw%40zorg.test"
    newcomer.refresh_from_db()
    assert newcomer.check_password("Lente-in-Tiel-2027")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # Single use: the link now says so and offers nothing to type.
    again = client.get(link)
    assert again.status_code == 410
    assert "Deze uitnodiging is al gebruikt." in again.content.decode()
    assert (
        client.post(
            link, {"new_password1": "Ander-wachtwoord-99", "new_password2": "Ander-wachtwoord-99"}
        ).status_code
        == 410
    )
    newcomer.refresh_from_db()
    assert newcomer.check_password("Lente-in-Tiel-2027")
    summary = invitation_summary(with_invitation_state(User.objects.filter(pk=newcomer.pk)).get())
    assert summary.state == State.ACCEPTED


def test_the_task_twice_sends_one_email(world, newcomer, django_capture_on_commit_callbacks):
    _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    message = OutgoingMessage.objects.get(kind="invitation", recipient=newcomer)
    assert len(mail.outbox) == 1
    assert outbox_deliver.delay(message.pk).get() is False
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1 and message.sent_at is not None


def test_an_invitation_replaced_before_its_email_went_out_is_not_sent(
    world, newcomer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        (first,) = invitations_send(people=[newcomer], by=world.hr)
    _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    old = OutgoingMessage.objects.get(kind="invitation", context__invitation=first.uuid.hex)
    assert outbox_deliver.delay(old.pk).get() is False
    assert mail.outbox == []


def test_an_expired_link_says_so_and_asks_hr_for_a_new_one_once(
    world, newcomer, client, django_capture_on_commit_callbacks
):
    invitation = _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    link = _link(mail.outbox[-1])
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page = client.get(link)
    assert page.status_code == 410
    text = page.content.decode()
    assert "Deze uitnodiging is verlopen." in text
    assert "HR om een nieuwe uitnodiging vragen" in text
    token = link.rstrip("/").rsplit("/", 1)[1]
    renew = reverse("invitation-renew", args=[token])
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(renew)
    assert "HR van Zorggroep Test heeft je verzoek" in asked.content.decode()
    client.post(renew)  # a second click asks nobody again
    (note,) = Notification.objects.filter(kind="invitation_renewal")
    assert note.recipient == world.hr
    assert message_render(note).title == "Nina Nieuw vraagt om een nieuwe uitnodiging"
    assert note.link == reverse("people:person-detail", args=[newcomer.uuid])
    assert (
        "Je HR-afdeling is al om een nieuwe uitnodiging gevraagd."
        in client.get(link).content.decode()
    )


def test_a_new_invitation_replaces_the_old_link(
    world, newcomer, client, django_capture_on_commit_callbacks
):
    _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    old = _link(mail.outbox[-1])
    _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    new = _link(mail.outbox[-1])
    assert old != new
    assert "Er is een nieuwere uitnodiging verstuurd." in client.get(old).content.decode()
    assert client.get(new).status_code == 200
    assert client.get("/accounts/invitation/vervalst-1234/").status_code == 404


def test_an_organisation_without_passwords_invites_to_its_sign_in(
    world, newcomer, client, django_capture_on_commit_callbacks
):
    sign_in_configure(
        organisation=world.organisation,
        by=world.hr,
        values={
            "sso_enabled": True,
            "issuer": "https://login.microsoftonline.com/tenant/v2.0",
            "client_id": "pop",
            "client_secret": "geheim",
            "passwords_allowed": False,
        },
        domains=["zorg.test"],
    )
    _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    body = mail.outbox[-1].body
    assert "Inloggen met je werkaccount: http" in body
    assert "/accounts/login/?email=nieuw%40zorg.test" in body
    assert "/accounts/invitation/" not in body
    assert SignInSettings.objects.get(organisation=world.organisation).sso_ready


def test_hr_invites_many_at_once_and_sees_their_state(
    world, newcomer, as_user, django_capture_on_commit_callbacks
):
    other = UserFactory(organisation=world.organisation, email="tweede@zorg.test")
    client = as_user(world.hr)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("people:people-invite"),
            {"person": [str(newcomer.uuid), str(other.uuid), str(world.other_employee.uuid)]},
            follow=True,
        )
    assert "2 uitnodigingen zijn onderweg." in " ".join(
        str(message) for message in response.context["messages"]
    )
    assert sorted(message.to[0] for message in mail.outbox) == [
        "nieuw@zorg.test",
        "tweede@zorg.test",
    ]
    states = {
        person.email: state.state
        for person, state, _path in client.get(reverse("people:person-list")).context["rows"]
    }
    assert states["nieuw@zorg.test"] == State.INVITED
    assert states[world.employee.email] == State.NEVER


# --- The password reset -------------------------------------------------------------------


def test_the_password_reset_works_for_someone_who_never_had_a_password(
    world, newcomer, client, django_capture_on_commit_callbacks
):
    """Django's form skips unusable passwords: imported and invited people could never
    sign in. Ours sends them the link, and setting a password accepts the invitation."""
    invitation = _invite(newcomer, world.hr, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends it
        client.post(reverse("password_reset"), {"email": "NIEUW@zorg.test"})
    (message,) = mail.outbox
    assert message.to == ["nieuw@zorg.test"]
    link = re.search(r"(/accounts/reset/\S+/)", message.body).group(1)
    form = client.get(link).url
    client.post(
        form, {"new_password1": "Zomer-in-Culemborg-7", "new_password2": "Zomer-in-Culemborg-7"}
    )
    newcomer.refresh_from_db()
    assert newcomer.check_password("Zomer-in-Culemborg-7")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_the_password_reset_sends_nothing_to_people_who_left(world, newcomer, client):
    newcomer.is_active = False
    newcomer.save()
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": newcomer.email})
    assert mail.outbox == []
