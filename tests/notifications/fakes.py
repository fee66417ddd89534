"""A local HTTP server that stands in for a webhook receiver or an SMS gateway, and backends that
fail on purpose. Only loopback: tests never reach the network."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from gridgov.notifications.backends import Backend, DeliveryFailed, OutgoingMessage


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeServer:
    """Records every POST; answers with ``status`` and ``answer`` (settable between requests)."""

    status: int = 200
    answer: bytes = b'{"code": "0"}'
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length", "0"))
                fake.received.append(
                    Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                )
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.answer)))
                self.end_headers()
                self.wfile.write(fake.answer)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


class AlwaysBusy(Backend):
    """A gateway that is always busy: every attempt fails, retryably."""

    name = "busy"
    calls: list[OutgoingMessage] = []  # noqa: RUF012 (shared on purpose: built once per attempt)

    def send(self, message: OutgoingMessage) -> None:
        AlwaysBusy.calls.append(message)
        raise DeliveryFailed("gateway busy")


class Broken(Backend):
    """An adapter with a bug; its error text carries a phone, which must not be stored."""

    name = "broken"

    def send(self, message: OutgoingMessage) -> None:
        raise RuntimeError(f"cannot send to {message.phone}")
