"""Test support: a real server on a free port, and a small GCTP client that sends exact bytes."""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import uvicorn

from opencpr.formats.gctp import read_answer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(app, *, ssl: dict | None = None, http: object = "httptools") -> Iterator[int]:
    """Run ``app`` with uvicorn (httptools, or the protocol class ``http``) in a thread on 127.0.0.1;
    yield its port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", http=http,
                            lifespan="on", **(ssl or {}))
    server = uvicorn.Server(config)
    server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Gctp:
    """A GCTP client on a live server: raw POSTs, the Token cookie kept like a browser would."""

    port: int
    token: str | None = None
    cookies: list[str] = field(default_factory=list)

    def post(self, body: bytes | str, headers: dict[str, str] | None = None,
             path: str = "/cpr-online-gctp/gctp") -> tuple[int, dict[str, str], bytes]:
        data = body.encode("iso-8859-1") if isinstance(body, str) else body
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest("POST", path, skip_accept_encoding=True)
            sent = {k.lower(): v for k, v in (headers or {}).items()}
            if self.token and "cookie" not in sent:
                sent["cookie"] = f"Token={self.token}"
            sent.setdefault("content-length", str(len(data)))
            for k, v in sent.items():
                conn.putheader(k, v)
            conn.endheaders()
            conn.send(data)
            response = conn.getresponse()
            answer = response.read()
            got = {k.lower(): v for k, v in response.getheaders()}
            return response.status, got, answer
        finally:
            conn.close()

    def signon(self, user: str, password: str) -> dict:
        body = (f'<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>'
                f'<root xmlns="http://www.cpr.dk"><Gctp v="1.0"><Sik function="signon" userid="{user}" '
                f'password="{password}"/></Gctp></root>')
        status, headers, answer = self.post(body, {"content-type": "text/xml"})
        assert status == 200
        cookie = headers.get("set-cookie", "")
        if cookie.startswith("Token="):
            self.token = cookie.split("=", 1)[1].split(";", 1)[0]
        return read_answer(answer)

    def call(self, service: str, keys: dict[str, str] | None = None, *, system: str = "CprSoeg",
             wrapped: bool = True) -> dict:
        fields = "".join(f'<Field r="{k}" v="{v}"/>' for k, v in (keys or {}).items())
        inner = (f'<Gctp v="1.0"><System r="{system}"><Service r="{service}"><CprServiceHeader r="{service}">'
                 f'<Key>{fields}</Key></CprServiceHeader></Service></System></Gctp>')
        body = (f'<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>'
                f'<root xmlns="http://www.cpr.dk">{inner}</root>') if wrapped else inner
        status, _, answer = self.post(body, {"content-type": "text/xml"})
        assert status == 200, answer
        return read_answer(answer)


def update_request(event: str, action: str, keys: dict[str, str], data: dict[str, str] | None = None, *,
                   ts: str | None = None, mk: str | None = None, header: dict[str, str] | None = None) -> str:
    """A GCTP update request (System r="CprAjour"): action ``a``, session ``ts``, authority ``mk``, and
    further header attributes (``st`` is ``P`` unless ``header`` says otherwise; ``pt``, ``u``)."""
    extra = {"st": "P", **(header or {})}
    attrs = (f' a="{action}"' + (f' ts="{ts}"' if ts else "") + (f' mk="{mk}"' if mk else "")
             + "".join(f' {k}="{v}"' for k, v in extra.items()))
    key_fields = "".join(f'<Field r="{k}" v="{v}"/>' for k, v in keys.items())
    data_fields = "".join(f'<Field r="{k}" v="{v}"/>' for k, v in (data or {}).items())
    body = f'<CprData><Rolle r="HovedRolle">{data_fields}</Rolle></CprData>' if data else ""
    return (f'<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?><root xmlns="http://www.cpr.dk">'
            f'<Gctp v="1.0"><System r="CprAjour"><Service r="{event}"><CprServiceHeader r="{event}"{attrs}>'
            f'<Key>{key_fields}</Key></CprServiceHeader>{body}</Service></System></Gctp></root>')
