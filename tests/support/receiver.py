"""A webhook receiver on 127.0.0.1 that records what arrives (and can fail or hang on purpose)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# A held request is answered after this at the latest, whatever the test does.
HELD_AT_MOST_S = 300


@dataclass
class Received:
    headers: dict[str, str]
    body: str

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    # Answer 500 to this many requests first, to exercise retries.
    fail_first: int = 0
    # Answer every (other) request with this status, and a Location when given.
    status: int = 204
    location: str | None = None
    # When held, each request is recorded as it arrives and answered only once released
    # (a receiver that hangs), so a test can act while deliveries are stuck in it.
    held: bool = False
    released: threading.Event = field(default_factory=threading.Event)

    def release(self) -> None:
        self.released.set()

    def wait_for(self, count: int, timeout_s: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and len(self.received) < count:
            time.sleep(0.1)
        return self.received


@contextmanager
def webhook_receiver(
    fail_first: int = 0, status: int = 204, location: str | None = None, held: bool = False
) -> Iterator[Receiver]:
    holder: list[Receiver] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
            receiver = holder[0]
            with lock:
                failing = receiver.fail_first > 0
                if failing:
                    receiver.fail_first -= 1
                else:
                    receiver.received.append(Received(dict(self.headers.items()), body))
            if receiver.held:
                receiver.released.wait(HELD_AT_MOST_S)
            self.send_response(500 if failing else receiver.status)
            if receiver.location and not failing:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:  # a followed redirect would arrive as a GET
            holder[0].received.append(Received(dict(self.headers.items()), ""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(
        Receiver(
            f"http://127.0.0.1:{server.server_address[1]}/hook",
            fail_first=fail_first,
            status=status,
            location=location,
            held=held,
        )
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        holder[0].release()
        server.shutdown()
        server.server_close()
