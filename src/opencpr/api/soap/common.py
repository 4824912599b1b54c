"""What every SOAP door shares: the client certificate from the TLS layer, reading the body,
sending the answer, the address a served WSDL names, and the Serviceplatformen fault of an error."""

from __future__ import annotations

from typing import Any

from opencpr.domain.kvit import KvitError
from opencpr.services.errors import NoAccess, UnknownSystem
from opencpr.services.subscriptions.errors import SubscriptionFault

__all__ = ["MAX_BODY", "XML", "address", "certificate", "fault_for", "read_body", "send"]

MAX_BODY = 1_000_000
XML = (b"content-type", b"text/xml; charset=utf-8")


def fault_for(exc: BaseException) -> tuple[str, str]:
    """(ErrorCode, ErrorText) of a refusal or failure."""
    if isinstance(exc, SubscriptionFault):
        return exc.error_code, exc.text
    if isinstance(exc, UnknownSystem):
        return "UnknownUserSystem", f"no active subscriber system for the client certificate: {exc.text}"
    if isinstance(exc, NoAccess):
        return "AccessDenied", exc.text
    if isinstance(exc, KvitError):
        return "ServiceError", exc.text
    return "InternalError", "the service could not answer; nothing was stored"


def certificate(scope: dict[str, Any]) -> str | None:
    """The verified client certificate (PEM) of the connection, if it presented one."""
    chain = scope.get("extensions", {}).get("tls", {}).get("client_cert_chain") or ()
    return chain[0] if chain else None


def address(scope: dict[str, Any], path: str) -> str:
    """This server's address of ``path`` as the caller reached it (for a WSDL's ``soap:address``)."""
    host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"), None)
    server = scope.get("server") or ("127.0.0.1", 0)
    host = host or f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'https')}://{host}{path}"


async def read_body(receive) -> bytes | None:
    """The request body, or None past ``MAX_BODY`` or on a disconnect."""
    chunks: list[bytes] = []
    size, more = 0, True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY and chunk:
            chunks.append(chunk)
        more = message.get("more_body", False)
    return None if size > MAX_BODY else b"".join(chunks)


async def send(send_, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send_({"type": "http.response.start", "status": status,
                 "headers": [*headers, (b"content-length", str(len(body)).encode("ascii"))]})
    await send_({"type": "http.response.body", "body": body})
