"""Sign-in with e-mail, lockout, sign-out, password reset and the language switch."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from people.models import OutgoingMessage
from people.services import PASSWORD_RESETS_PER_ADDRESS, PASSWORD_RESETS_PER_CLIENT


def _sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_in_with_email_in_any_case_lands_on_home(client, world, password):
    response = _sign_in(client, world.employee.email.upper(), password)
    assert response.status_code == 302
    assert response.url == reverse("dashboards:home")
    home = client.get(response.url)
    assert "Sanne Jansen" in home.content.decode()


def test_wrong_password_shows_a_dutch_message_and_keeps_the_email(client, world):
    response = _sign_in(client, world.employee.email, "wrong")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar" in html
    assert f'value="{world.employee.email}"' in html


def test_inactive_person_cannot_sign_in(client, world, password):
    world.employee.is_active = False
    world.employee.save()
    response = _sign_in(client, world.employee.email, password)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures_per_user_and_ip(client, world, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, world.employee.email, "wrong").status_code == 200
    locked = _sign_in(client, world.employee.email, "wrong")
    assert locked.status_code == 429
    assert "Inloggen tijdelijk geblokkeerd" in locked.content.decode()
    # Even the right password is refused while locked out.
    again = _sign_in(client, world.employee.email, password)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another person from the same address is not affected (user + IP).
    assert _sign_in(client, world.colleague.email, password).status_code == 302


def test_lockout_is_per_ip_address(client, world, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, world.employee.email, "wrong")
    response = client.post(
        reverse("login"),
        {"username": world.employee.email, "password": password},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302


def test_sign_out_needs_post_and_ends_the_session(world, as_user):
    client = as_user(world.employee)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboards:home")).status_code == 302


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        ("nl", "Kies een nieuw wachtwoord voor POP Platform", "Iemand heeft gevraagd"),
        ("en", "Choose a new password for POP Platform", "Someone asked to reset"),
    ],
)
def test_password_reset_mail_in_the_persons_language(
    client, world, language, subject, sentence, django_capture_on_commit_callbacks
):
    world.employee.language = language
    world.employee.save()
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("password_reset"), {"email": world.employee.email})
    assert response.status_code == 302
    # Queued in the outbox, not sent during the request; the link is not stored.
    assert mail.outbox == []
    (row,) = OutgoingMessage.objects.filter(recipient=world.employee, kind="password_reset")
    assert (row.channel, row.context, row.link) == ("email", {}, "")
    for send in queued:
        send()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == subject
    assert sentence in message.body
    _html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = re.search(r"(/accounts/reset/[^\s]+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "een-nieuw-sterk-wachtwoord-42"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    world.employee.refresh_from_db()
    assert world.employee.check_password(new_password)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Het wachtwoord lijkt te veel op je e-mailadres."),
        ("en", "The password is too similar to your e-mail address."),
    ],
)
def test_a_new_password_like_the_email_address_is_refused_in_plain_words(
    client, world, language, message, django_capture_on_commit_callbacks
):
    world.employee.language = language
    world.employee.save()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language  # signed out: the cookie counts
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": world.employee.email})
    link = re.search(r"(/accounts/reset/[^\s]+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    like_the_address = world.employee.email.upper()
    refused = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": like_the_address, "new_password2": like_the_address},
    )
    assert refused.status_code == 200
    assert message in refused.content.decode()
    world.employee.refresh_from_db()
    assert not world.employee.check_password(like_the_address)


def test_password_reset_for_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "niemand@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_language_switch_is_remembered_on_the_person(world, as_user):
    client = as_user(world.employee)
    assert "Welkom, Sanne" in client.get(reverse("dashboards:home")).content.decode()
    response = client.post(
        reverse("people:set-language"), {"language": "en", "next": reverse("people:inbox")}
    )
    assert response.status_code == 302
    assert response.url == reverse("people:inbox")
    world.employee.refresh_from_db()
    assert world.employee.language == "en"
    # A new session (another browser) still gets English: it is stored on the account.
    fresh = as_user(world.employee)
    html = fresh.get(reverse("dashboards:home")).content.decode()
    assert "Welcome, Sanne" in html
    assert '<html lang="en">' in html


def test_language_switch_before_sign_in_uses_a_cookie(client, db):
    assert "Inloggen" in client.get(reverse("login")).content.decode()
    client.post(reverse("people:set-language"), {"language": "en", "next": reverse("login")})
    html = client.get(reverse("login")).content.decode()
    assert "Sign in" in html
    assert '<html lang="en">' in html


def test_language_switch_ignores_foreign_redirects_and_unknown_languages(world, as_user):
    client = as_user(world.employee)
    response = client.post(
        reverse("people:set-language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response.url == reverse("dashboards:home")
    world.employee.refresh_from_db()
    assert world.employee.language == "nl"


def test_dutch_is_the_default_whatever_the_browser_asks(client, db):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="nl">' in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_password_reset_requests_are_limited_per_address_with_a_clear_message(
    client, world, language, django_capture_on_commit_callbacks
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("password_reset")
    with django_capture_on_commit_callbacks(execute=True):
        for _number in range(PASSWORD_RESETS_PER_ADDRESS):
            assert client.post(url, {"email": world.employee.email}).status_code == 302
        refused = client.post(url, {"email": f"  {world.employee.email.upper()} "})
    assert refused.status_code == 200
    expected = {
        "nl": "Er is te vaak om een link voor een nieuw wachtwoord gevraagd.",
        "en": "A link to choose a new password was asked for too often.",
    }[language]
    assert expected in refused.content.decode()
    assert len(mail.outbox) == PASSWORD_RESETS_PER_ADDRESS
    # Another address from another client is not held up.
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.post(url, {"email": world.colleague.email}).status_code == 302


def test_password_reset_requests_are_limited_per_client(client, world):
    url = reverse("password_reset")
    addresses = [f"iemand{number}@zorg.test" for number in range(PASSWORD_RESETS_PER_CLIENT)]
    for address in addresses:  # unknown addresses count too: nothing tells them apart
        assert client.post(url, {"email": address}).status_code == 302
    refused = client.post(url, {"email": world.employee.email})
    assert refused.status_code == 200
    assert "te vaak" in refused.content.decode()
    assert not OutgoingMessage.objects.filter(kind="password_reset").exists()


def test_password_reset_link_points_at_the_site_not_the_request_host(
    client, world, settings, django_capture_on_commit_callbacks
):
    """Issue 16, item 15: the link was built from the request's Host header, which whoever
    asks for the reset chooses (a poisoned link would hand the token to their server)."""
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://pop.zorggroep.example"
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends it
        response = client.post(
            reverse("password_reset"), {"email": world.employee.email}, HTTP_HOST="evil.example"
        )
    assert response.status_code == 302
    message = mail.outbox[0]
    html, _mimetype = message.alternatives[0]
    for body in (message.body, html):
        assert "https://pop.zorggroep.example/accounts/reset/" in body
        assert "evil.example" not in body
