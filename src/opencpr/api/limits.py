"""The limit on request bodies, for every door: an ASGI middleware in front of the whole server.

A body is refused before it is read when its ``Content-Length`` is over ``limits.max_body``,
and as soon as the bytes received pass it when it is streamed (chunked); a client that takes
longer than ``limits.body_timeout`` seconds to send its body is cut off. The answer is the
door's own: GCTP's Kvit 912 (HTTP 200, as CPR answers), elsewhere HTTP 413 (or 408) with a
JSON ``{"kvit", "text"}``. Nothing of a refused body is kept, and the connection is closed.

A body within the limit is read here and handed on whole, so the application behind never reads
more than ``max_body`` bytes from a client.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Path, Query

from opencpr.config import Limits
from opencpr.domain.kvit import Kvit
from opencpr.formats import gctp

#: a pending report's number in a path or a query: a row id the databases can hold (a larger number
#: is refused with 422, not passed on to fail in the database)
ROW_ID_MAX = 2**63 - 1
PendingId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]
AfterId = Annotated[int | None, Query(ge=0, le=ROW_ID_MAX)]

GCTP_PATH = "/cpr-online-gctp/gctp"


class BodyLimit:
    """Refuses bodies over ``limits.max_body`` bytes or slower than ``limits.body_timeout`` seconds."""

    def __init__(self, app, limits: Limits, refused: Callable[[str | None, str, int, str], None] | None = None,
                 env: str | None = None) -> None:
        self.app = app
        self.limits = limits
        self.refused = refused
        self.env = env

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared(scope)
        if declared is not None and declared > self.limits.max_body:
            await self._refuse(scope, send, 413)
            return
        if scope["method"] in ("GET", "HEAD", "OPTIONS"):  # no route reads a body
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.limits.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.001, deadline - time.monotonic()))
            except TimeoutError:
                await self._refuse(scope, send, 408)
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body:
                await self._refuse(scope, send, 413)
                return
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope, send, status: int) -> None:
        client = scope.get("client")
        host = client[0] if client else None
        kvit = Kvit.TOO_LARGE
        text = kvit.text if status == 413 else "Forespørgslen kom ikke i tide"
        if self.refused is not None:
            self.refused(host, "GCTP" if scope.get("path") == GCTP_PATH else "HTTP", kvit.code if status == 413
                         else status, text)
        if scope.get("path") == GCTP_PATH:
            body = gctp.error_answer("1.0", kvit.code, text, env=self.env)
            headers = [(b"content-type", gctp.CONTENT_TYPE.encode("ascii"))]
            status = 200
        else:
            body = json.dumps({"kvit": kvit.code, "text": text}, ensure_ascii=False).encode("utf-8")
            headers = [(b"content-type", b"application/json")]
        headers += [(b"content-length", str(len(body)).encode("ascii")), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def _declared(scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
