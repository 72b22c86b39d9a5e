"""Posting to servers of other organisations (webhooks, Teams, Slack) without letting a
URL reach into our own network.

A URL typed by HR could name the loopback, a private network or a link-local address
(such as a cloud's metadata service at 169.254.169.254). ``post`` resolves the host
itself, refuses the request when any of its addresses is not a public one (unless the
operator allows private destinations: ``WEBHOOK_ALLOW_PRIVATE``), and connects to the
address it checked, so a second DNS answer cannot swap in another one. Redirects are
not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
#: Bytes of an answer that are read (and then ignored): enough to finish the exchange.
ANSWER_LIMIT = 64 * 1024


class DestinationRefused(ValueError):
    """The URL is malformed or points at an address that is not allowed."""


def address_allowed(address: IPAddress, *, allow_private: bool) -> bool:
    """A public unicast address; or, with ``allow_private``, any but the unspecified."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_unspecified or address.is_multicast:
        return False
    return allow_private or address.is_global


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL; ``DestinationRefused``
    for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as bad:
        raise DestinationRefused(f"Not a valid URL: {bad}") from bad
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused("Only http and https URLs with a host can be called.")
    if parts.username or parts.password:
        raise DestinationRefused("A URL with a user name or password is not accepted.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, parts.hostname, port or default, path


def resolve(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Every address of ``host``; refused when any of them is not allowed (a name that
    resolves to a public and a private address is not a public destination)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as missing:
        raise OSError(f"The host {host} cannot be found: {missing}") from missing
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    refused = [a for a in addresses if not address_allowed(a, allow_private=allow_private)]
    if refused:
        raise DestinationRefused(
            f"{host} points at an address that is not allowed ({refused[0]}): the loopback, "
            "private and link-local ranges are refused unless WEBHOOK_ALLOW_PRIVATE=true."
        )
    return addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Talks to ``address`` while naming ``host`` in the Host header."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = str(address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to ``address``, with the certificate checked against ``host`` (SNI too)."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = str(address)

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(
    url: str, *, body: bytes, headers: dict[str, str], timeout: float, allow_private: bool
) -> int:
    """POST ``body`` and return the answer's status code. ``DestinationRefused`` for a URL
    that may not be called; ``OSError`` when no address answers."""
    scheme, host, port, path = check_url(url)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection, error = None, None
    for address in resolve(host, port, allow_private=allow_private):
        candidate = connection_class(host, port, address, timeout)
        try:
            candidate.connect()  # the next address only when this one cannot be reached
        except OSError as failed:
            candidate.close()
            error = failed
            continue
        connection = candidate
        break
    if connection is None:
        raise error or OSError(f"No address of {host} answered.")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(ANSWER_LIMIT)
        return response.status
    except http.client.HTTPException as garbled:
        raise OSError(f"{host} did not answer in HTTP: {garbled}") from garbled
    finally:
        connection.close()
