"""``syndicate serve`` as a real uvicorn process, where the server itself matters (issue 9):
read deadlines against clients that dribble bytes (slow loris), a client that hangs up
mid-body, and the text log that a request path must not be able to forge.

The server runs with a 1 s header deadline and a 2 s body deadline; each test talks raw
HTTP over a socket, so it controls exactly when each byte is sent."""

from __future__ import annotations

import json
import os
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from e2e_processes import Processes, free_port, wait_for
from redis_servers import RedisServer

HEADER_TIMEOUT = 1
BODY_TIMEOUT = 2
MARGIN = 4.0  # seconds past a deadline a busy two-core machine may need to act on it
DRIBBLE_LIMIT = 12.0  # a client dribbles this long at most, so a regression fails, not hangs


@dataclass
class Server:
    base: str
    port: int
    log: Path

    def log_since(self, offset: int) -> str:
        return self.log.read_bytes()[offset:].decode("utf-8", "replace")

    def log_size(self) -> int:
        return self.log.stat().st_size


@pytest.fixture(scope="module")
def server(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    logs = tmp_path_factory.mktemp("serve")
    processes = Processes(logs)
    env = {
        "SYNDICATE_REDIS_URL": redis_server.url,
        "SYNDICATE_CONFIG": "/nonexistent.toml",
        "SYNDICATE_NEWSROOM_SECRET": "server-test-secret",
        "SYNDICATE_LOG_FORMAT": "text",
        "SYNDICATE_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "SYNDICATE_BODY_TIMEOUT": str(BODY_TIMEOUT),
    }
    port = free_port()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("SYNDICATE_")}
    process = processes.server(base_env | env, port)
    base = f"http://127.0.0.1:{port}"
    wait_for(lambda: _answers(base) or process.poll() is not None, 60, "syndicate serve")
    assert process.poll() is None, processes.log_of(process)
    try:
        yield Server(base, port, processes.log_files[process.pid])
    finally:
        processes.stop_all()


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2.0).status_code in (200, 503)
    except httpx.TransportError:
        return False


def _dribble(port: int, head: bytes, drip: bytes, every: float = 0.2) -> tuple[bytes, float]:
    """Send ``head`` at once, then ``drip`` one byte every ``every`` s, until the server
    answers and closes (or DRIBBLE_LIMIT): what it sent back, and when it closed."""
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(head)
        for byte in (drip[i : i + 1] for i in range(len(drip))):
            if time.monotonic() - started > DRIBBLE_LIMIT:
                break
            readable, _, _ = select.select([sock], [], [], every)
            if readable:
                chunk = _recv(sock)
                if not chunk:  # closed (a reset: bytes we sent after its answer)
                    return received, time.monotonic() - started
                received += chunk
                continue
            try:
                sock.sendall(byte)
            except OSError:  # the server closed while we sent
                break
        sock.settimeout(MARGIN)
        while chunk := _recv(sock):
            received += chunk
        return received, time.monotonic() - started


def _recv(sock: socket.socket) -> bytes:
    """What arrived; b"" once the server closed or reset the connection (or went quiet)."""
    try:
        return sock.recv(65536)
    except (TimeoutError, ConnectionResetError):
        return b""


def _status_and_json(raw: bytes) -> tuple[int, dict[str, str]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


def test_headers_sent_slowly_are_cut_off_with_408(server: Server) -> None:
    head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n"
    raw, elapsed = _dribble(server.port, head, b"X-Slow: " + b"a" * 200)
    assert HEADER_TIMEOUT - 0.1 <= elapsed <= HEADER_TIMEOUT + MARGIN
    status, body = _status_and_json(raw)
    assert status == 408 and "headers" in body["error"]
    assert httpx.get(f"{server.base}/healthz").status_code in (200, 503)


def test_a_second_request_on_a_kept_alive_connection_gets_the_deadline_too(
    server: Server,
) -> None:
    first = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\n"
    raw, elapsed = _dribble(server.port, first, b"X-Slow: " + b"a" * 200)
    assert elapsed <= HEADER_TIMEOUT + MARGIN
    assert raw.count(b"HTTP/1.1 ") == 2 and b"HTTP/1.1 408" in raw


def test_body_sent_slowly_is_cut_off_with_408(server: Server) -> None:
    head = (
        b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    raw, elapsed = _dribble(server.port, head, b" " * 999)
    assert BODY_TIMEOUT - 0.1 <= elapsed <= BODY_TIMEOUT + MARGIN
    status, body = _status_and_json(raw)
    assert status == 408 and f"within {BODY_TIMEOUT} s" in body["error"]
    assert b"connection: close" in raw.lower()
    assert httpx.get(f"{server.base}/healthz").status_code in (200, 503)


def test_a_client_gone_mid_body_is_one_info_line_without_traceback(server: Server) -> None:
    offset = server.log_size()
    head = (
        b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"id": '
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head)
    wait_for(lambda: "path=/v1/articles" in server.log_since(offset), 15, "the access line")
    assert httpx.get(f"{server.base}/healthz").status_code in (200, 503)
    wait_for(lambda: "path=/healthz" in server.log_since(offset), 15, "the next request")
    lines = server.log_since(offset).splitlines()
    posted = [line for line in lines if "path=/v1/articles" in line]
    assert len(posted) == 1 and "status=499" in posted[0] and " INFO " in posted[0]
    assert not any("Traceback" in line or "ERROR" in line or "500" in line for line in lines)


def test_a_path_with_an_encoded_newline_is_one_log_line(server: Server) -> None:
    offset = server.log_size()
    answer = httpx.get(f"{server.base}/v1/feeds/x%0aFAKE%20LINE")
    assert answer.status_code == 404
    wait_for(lambda: "FAKE" in server.log_since(offset), 15, "the access line")
    lines = [line for line in server.log_since(offset).splitlines() if "FAKE" in line]
    assert len(lines) == 1
    assert "path=/v1/feeds/x%0aFAKE%20LINE" in lines[0] and "status=404" in lines[0]
