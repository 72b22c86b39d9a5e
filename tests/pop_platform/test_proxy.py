"""Behind a reverse proxy: the client's address from X-Forwarded-For reaches the sign-in
lockout, the sign-in records and the audit trail, trusting exactly DJANGO_PROXY_COUNT
hops, and only from a trusted proxy; HTTPS is recognised from X-Forwarded-Proto the same
way. A request sent straight to the app cannot pass itself off as another client."""

from __future__ import annotations

import ipaddress

import pytest
from axes.models import AccessAttempt, AccessLog
from django.test import Client
from django.urls import reverse

from people.models import AuditEvent
from pop_platform.proxy import forwarded_client, parse_networks
from tests.factories import PASSWORD

PRIVATE = parse_networks(["127.0.0.1/32", "10.0.0.0/8"], setting="test")
CADDY = "127.0.0.1"
CLIENT = "203.0.113.7"


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "client"),
    [
        (CADDY, CLIENT, 1, CLIENT),
        # The client made up an earlier hop: only the proxy's own entry counts.
        (CADDY, f"198.51.100.1, {CLIENT}", 1, CLIENT),
        # Two proxies (a load balancer, then Caddy): the client is two from the right.
        (CADDY, f"198.51.100.1, {CLIENT}, 10.0.0.5", 2, CLIENT),
        # Fewer hops than proxies configured: the peer is the closest known.
        (CADDY, "", 1, CADDY),
        (CADDY, "not-an-address", 1, CADDY),
        # Not from a trusted proxy, or no proxy configured: the headers are ignored.
        ("198.51.100.9", CLIENT, 1, None),
        (CADDY, CLIENT, 0, None),
    ],
)
def test_the_client_is_the_trusted_hop(peer, forwarded, proxies, client):
    assert (
        forwarded_client(peer=peer, forwarded_for=forwarded, proxies=proxies, trusted=PRIVATE)
        == client
    )


def test_the_default_trusted_proxies_are_loopback_and_private_networks(settings):
    trusted = settings.TRUSTED_PROXY_NETWORKS
    for inside in ("127.0.0.1", "10.1.2.3", "172.18.0.5", "192.168.1.1", "::1", "fd00::1"):
        assert any(ipaddress.ip_address(inside) in network for network in trusted), inside
    for outside in ("203.0.113.7", "8.8.8.8", "2001:db8::1"):
        assert not any(ipaddress.ip_address(outside) in network for network in trusted), outside


@pytest.fixture
def behind_caddy(settings):
    settings.PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = parse_networks([CADDY], setting="test")
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _sign_in(client: Client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_in_records_and_lockout_use_the_forwarded_client(behind_caddy, world, settings):
    through_caddy = Client(REMOTE_ADDR=CADDY, HTTP_X_FORWARDED_FOR=CLIENT)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(through_caddy, world.employee.email, "wrong password")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    # Locked out is the client, not the proxy: a colleague behind the same proxy, from
    # another address, signs in.
    colleague = Client(REMOTE_ADDR=CADDY, HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert _sign_in(colleague, world.employee.email, PASSWORD).status_code == 302
    assert AccessLog.objects.get().ip_address == "198.51.100.23"


def test_the_audit_trail_records_the_forwarded_client(behind_caddy, world, pop):
    manager = Client(REMOTE_ADDR=CADDY, HTTP_X_FORWARDED_FOR=CLIENT)
    manager.force_login(world.manager)
    assert manager.get(reverse("plans:plan-detail", args=[pop.plan.uuid])).status_code == 200
    event = AuditEvent.objects.get(actor=world.manager, action=AuditEvent.Action.READ)
    assert event.ip_address == CLIENT


def test_a_request_straight_to_the_app_cannot_spoof_its_address_or_https(behind_caddy, world):
    direct = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=CLIENT)
    _sign_in(direct, world.employee.email, "wrong password")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.9"]
    spoofed = Client(REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_PROTO="https")
    secure = Client(REMOTE_ADDR=CADDY, HTTP_X_FORWARDED_PROTO="https")
    for client, is_secure in ((spoofed, False), (secure, True)):
        response = client.get(reverse("login"))
        assert response.wsgi_request.is_secure() is is_secure


def test_without_a_proxy_every_forwarded_header_is_ignored(settings, world):
    assert settings.PROXY_COUNT == 0
    client = Client(REMOTE_ADDR=CADDY, HTTP_X_FORWARDED_FOR=CLIENT, HTTP_X_FORWARDED_PROTO="https")
    _sign_in(client, world.employee.email, "wrong password")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [CADDY]
    assert client.get(reverse("login")).wsgi_request.is_secure() is False
