"""Real HTTP receivers on loopback for the push tests: each answers every POST by a script
of the attempt number of that delivery (200, 500 then 200, 410, no answer at all, or 200
once the test releases it) and keeps what it was sent, to be checked against the push
secret."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Final
from urllib.parse import parse_qsl, urlsplit

from syndicate.api.credentials import Verdict, verify
from syndicate.push.payload import DELIVERY_HEADER
from syndicate.signing import SIGNATURE_HEADER

HANG: Final = 0  # a script's answer: hold the request without answering
HOLD: Final = -1  # a script's answer: hold the request until ``released``, then 200
TRICKLE: Final = -2  # a script's answer: a 200's head, one byte at a time, until released
# (attempt number of this delivery, number of POSTs received in all), both from 1 ->
# the status to answer, or HANG
Script = Callable[[int, int], int]


def always(status: int) -> Script:
    return lambda attempt, total: status


def fails_first(times: int, status: int = 500) -> Script:
    return lambda attempt, total: status if attempt <= times else 200


def hangs_first() -> Script:
    """The very first POST gets no answer; every other one 200."""
    return hangs_after(0)


def hangs_after(received: int) -> Script:
    """The next POST after the ``received`` ones so far gets no answer; every other 200."""
    return lambda attempt, total: HANG if total == received + 1 else 200


def trickles_first() -> Script:
    """The first POST's 200 comes a byte every 0.2 s, for 10 s; every other 200 at once."""
    return lambda attempt, total: TRICKLE if total == 1 else 200


def holds() -> Script:
    """Every POST waits until the test releases the receiver, then gets a 200."""
    return lambda attempt, total: HOLD


@dataclass(frozen=True)
class Received:
    """One POST as the receiver saw it, and what it answered (HANG: nothing)."""

    delivery: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def version(self) -> int:
        return int(self.headers["x-syndicate-version"])

    def signed_with(self, secret: str, now: float) -> bool:
        signature = self.headers.get(SIGNATURE_HEADER.lower())
        return verify(self.body, secret, signature, now, 300) is Verdict.VALID


@dataclass
class Receiver:
    script: Script
    url: str = ""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)
    echo: bool = True  # a WebSub verification (GET) gets its challenge back
    verified: list[dict[str, str]] = field(default_factory=list)  # the GETs' queries
    held: int = 0  # POSTs waiting for ``released`` now

    def answer(self, delivery: str, headers: dict[str, str], body: bytes) -> tuple[int, int]:
        """The status to answer, and the index of this POST in ``received``."""
        with self.lock:
            attempt = 1 + sum(r.delivery == delivery for r in self.received)
            status = self.script(attempt, len(self.received) + 1)
            self.received.append(
                Received(delivery, headers, body, HANG if status == HOLD else status)
            )
            return status, len(self.received) - 1

    def hold(self, index: int, connection: socket.socket) -> int:
        """Hold the POST ``index`` until ``released``; then 200, or HANG when its sender
        no longer waits (and so never reads the answer)."""
        with self.lock:
            self.held += 1
        self.released.wait(120)
        status = HANG if _sender_gone(connection) else 200
        with self.lock:
            self.received[index] = replace(self.received[index], answered=status)
            self.held -= 1
        return status

    def accepted(self) -> list[Received]:
        """What it answered with a 2xx, in the order it came."""
        with self.lock:
            return [r for r in self.received if 200 <= r.answered <= 299]

    def hanging(self) -> int:
        with self.lock:
            return sum(r.answered == HANG for r in self.received)

    def holding(self) -> int:
        """The POSTs held now, waiting for ``released``."""
        with self.lock:
            return self.held


def _sender_gone(connection: socket.socket) -> bool:
    """The sender closed the connection (it stopped waiting: a timeout, a kill)."""
    readable, _, _ = select.select([connection], [], [], 0)
    try:
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def _trickle(handler: BaseHTTPRequestHandler, released: threading.Event) -> None:
    """A 200 whose head comes a byte every 0.2 s for 10 s: each read of the sender gets
    something well within its timeout, and the whole answer takes 10 s."""
    handler.close_connection = True
    try:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        for _ in range(50):
            if released.wait(0.2):
                return
            handler.wfile.write(b"x")
            handler.wfile.flush()
        handler.wfile.write(b"\r\nContent-Length: 0\r\n\r\n")
    except OSError:  # the sender hung up
        return


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, index = receiver.answer(headers.get(DELIVERY_HEADER.lower(), ""), headers, body)
            if status == HOLD:
                status = receiver.hold(index, self.connection)
            if status == TRICKLE:
                _trickle(self, receiver.released)
                return
            if status == HANG:
                receiver.released.wait(120)
                self.close_connection = True
                return
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self) -> None:  # a WebSub hub verifying the intent
            query = dict(parse_qsl(urlsplit(self.path).query))
            with receiver.lock:
                receiver.verified.append(query)
            answer = query.get("hub.challenge", "") if receiver.echo else "no"
            self.send_response(200)
            self.send_header("Content-Length", str(len(answer.encode())))
            self.end_headers()
            self.wfile.write(answer.encode())

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads ``received``."""

    return Handler


@contextmanager
def receivers(*scripts: Script) -> Iterator[list[Receiver]]:
    """One running receiver per script, on free loopback ports; stopped afterwards."""
    started: list[tuple[Receiver, ThreadingHTTPServer]] = []
    try:
        for script in scripts:
            receiver = Receiver(script)
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
            server.daemon_threads = True
            receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
            threading.Thread(target=server.serve_forever, daemon=True).start()
            started.append((receiver, server))
        yield [receiver for receiver, _ in started]
    finally:
        for receiver, server in started:
            receiver.released.set()
            server.shutdown()
            server.server_close()
