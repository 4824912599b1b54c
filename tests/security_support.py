"""Test support for the attacker's-side tests: a real server with chosen limits, raw HTTP requests."""

from __future__ import annotations

import contextlib
import socket

from live import running
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.app import create_app
from opencpr.config import Limits
from opencpr.services.gate import Gate

SIGNON_GCTP = ('<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="signon" userid="{user}" '
               'password="{password}"/></Gctp></root>')


def stam(pnr: str = "0707614285", service: str = "STAMP", field: str = "PNR") -> bytes:
    return (f'<Gctp v="1.0"><System r="CprSoeg"><Service r="{service}"><CprServiceHeader r="{service}"><Key>'
            f'<Field r="{field}" v="{pnr}"/></Key></CprServiceHeader></Service></System></Gctp>').encode("ascii")


@contextlib.contextmanager
def server(engine, clock, *, passwords: Passwords | None = None, audit_mode: str = "sync", **limits):
    """A real server (uvicorn in a thread) whose gate has ``limits``; yields (port, gate)."""
    gate = Gate(engine, clock, audit_mode=audit_mode, passwords=passwords or Passwords(CHEAP),
                limits=Limits(**limits))
    with running(create_app(engine, gate=gate, run_due_every=None)) as port:
        yield port, gate


def raw(port: int, head: bytes, body_parts=(), *, timeout: float = 10.0) -> bytes:
    """Send ``head`` and then each of ``body_parts`` (stopping quietly if the server hangs up); the
    answer's bytes, read until the server closes or ``timeout``."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        try:
            for part in body_parts:
                sock.sendall(part)
        except OSError:  # the server answered and closed without reading the rest
            pass
        received = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
                if b"\r\n\r\n" in received and _complete(received):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
        return received


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else 0


def chunked(parts) -> list[bytes]:
    return [b"%x\r\n%s\r\n" % (len(p), p) for p in parts] + [b"0\r\n\r\n"]
