"""A real HTTP receiver for webhooks, Teams and Slack, started by a test on the loopback.

Each path is one destination. For a webhook path given a secret, the receiver verifies
the Standard Webhooks signature with the specification's reference implementation (the
``standardwebhooks`` package) and answers 401 when it does not hold, as a careful
receiver would. ``script(path, [500, 500])`` makes the next answers fail; ``hold()`` keeps
requests waiting before they are answered, and a request whose sender went away while
it waited is not accepted (the receiver never told it "200"), as an SMTP server does not
accept a message whose client vanished before the end of DATA.

``accepted`` lists what the receiver took: a request it answered 2xx to a sender that was
still there.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    verified: bool | None = None  # None: no secret for this path
    accepted: bool = False

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    requests: list[Received] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._open = threading.Event()
        self._open.set()
        self._waiting = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                got = Received(
                    path=self.path,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    body=self.rfile.read(length),
                )
                receiver._answer(self, got)

            def log_message(self, *args) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self._open.set()
        self.server.shutdown()
        self.server.server_close()

    def script(self, path: str, statuses: list[int]) -> None:
        self.scripts[path] = list(statuses)

    def hold(self) -> None:
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    @property
    def held(self) -> int:
        return self._waiting

    def accepted(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if r.accepted and (path is None or r.path == path)]

    def received(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def _answer(self, handler: BaseHTTPRequestHandler, got: Received) -> None:
        secret = self.secrets.get(got.path)
        if secret is not None:
            try:
                Webhook(secret).verify(got.body, got.headers)
                got.verified = True
            except WebhookVerificationError:
                got.verified = False
        with self._lock:
            self._waiting += 1
            self.requests.append(got)
        self._open.wait()
        with self._lock:
            self._waiting -= 1
            script = self.scripts.get(got.path)
            status = script.pop(0) if script else 200
            if got.verified is False:
                status = 401
            got.status = status
            got.accepted = 200 <= status < 300 and _still_there(handler.connection)
        handler.send_response(status)
        handler.send_header("Content-Length", "0")
        handler.end_headers()


def _still_there(connection: socket.socket) -> bool:
    """Whether the sender still holds the connection (a closed one reads as b"")."""
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
