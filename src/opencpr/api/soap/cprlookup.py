"""CPRLookup/2 over SOAP 1.1: GCTP in a string, for systems known by their client certificate.

Served at ``/service/CPRLookup/CPRLookup/2`` (matched without regard to case), and at the older
CprService replica's paths ``/service/CPRService/CPRService/1`` and ``/CPRWebService/CprService``
(``cpr-protocols.md`` §1.10): ``GET …?wsdl`` the project's WSDL of the operation, ``POST`` a call.

The body element is ``callGCTPCheckServiceRequest`` (namespace ``…/soap11/CprService/2/``) with an
``InvocationContext`` and a ``gctpMessage``: a GCTP document as text, ``<Gctp v="1.0">`` with or
without ``<root>``. The message is answered by the GCTP door's own handler
(:class:`opencpr.api.gctp.GctpHandler`) for the certificate's subscriber system instead of a
signed-on user: the system's group decides which GCTP services it may call, every call is audited
on the system and counted for billing, protection applies as for any caller. The answer's
``result`` is the GCTP answer, character for character what the GCTP door would send (ISO-8859-1
declaration included); a refusal inside GCTP (Kvit 5 …) is a GCTP answer too.

A SOAP fault (Serviceplatformen's ``ServiceplatformFault``) answers what is wrong with the call
itself: no client certificate, no active system for it, an Invocation Context missing or not the
system's (agreement), a ServiceUUID that is not one of CPRLookup's, an unreadable envelope or GCTP
message.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from opencpr.api.gctp import GctpHandler
from opencpr.api.soap.common import XML, address, certificate, fault_for, read_body, send
from opencpr.formats import gctp, soap
from opencpr.formats.gctp import GctpError
from opencpr.services.subscriptions import invocation as invocation_checks
from opencpr.services.subscriptions.errors import InvalidCallParameters

__all__ = ["PATH", "PATHS", "SERVICE_UUIDS", "CprLookupApp", "CprLookupHandler"]

PATH = "/service/CPRLookup/CPRLookup/2"
#: Every served path (lower case) -> the operation name its WSDL gives.
PATHS = {PATH.lower(): "callGctpService", "/service/cprservice/cprservice/1": "callGCTPCheckService",
         "/cprwebservice/cprservice": "callGCTPCheckService"}
_ORIGINAL = {PATH.lower(): PATH, "/service/cprservice/cprservice/1": "/service/CPRService/CPRService/1",
             "/cprwebservice/cprservice": "/CPRWebService/CprService"}
#: The body elements accepted: the contract's, and the operation names (lenient).
_ELEMENTS = ("callGCTPCheckServiceRequest", "callGctpService", "callGCTPCheckService")

#: ServiceUUIDs a CPRLookup call may carry: the per-service ones CPR Broker sends and CPR Service's
#: (``cpr-protocols.md`` §1.10).
SERVICE_UUIDS = frozenset({
    "6538f113-b1e6-4b21-8fe1-28b7bf78a1bd",  # ADRSOG1
    "7baec3a5-26a5-4922-80fd-37f3bad3dfcb",  # Stam+
    "e3f26293-803e-4b8f-8a15-674a4f8abaad",  # navne3
    "a34cf599-26e4-4609-bfbd-2490d3d1c3ab",  # Familie+
    "b7e5ee9c-1acd-41e6-b117-08a11dee6862",  # Adresse4
    "8ee213c7-25a9-11e2-8770-d4bed98c63db",  # CPR Service
})
_LABEL = "CPRLookup"

log = logging.getLogger("opencpr.cprlookup")


class CprLookupHandler:
    """One CPRLookup request: bytes and the peer certificate in, bytes out."""

    def __init__(self, gctp_handler: GctpHandler) -> None:
        self.gctp = gctp_handler

    def handle(self, body: bytes, certificate_pem: str | None, client: str | None) -> tuple[int, bytes]:
        try:
            request = soap.parse_request(body, soap.CPRLOOKUP_NS, "CprService/2")
            if request.operation not in _ELEMENTS:
                raise soap.SoapFormatError(f"the body's element must be callGCTPCheckServiceRequest, "
                                           f"not {request.operation[:60]}")
        except soap.SoapFormatError as exc:
            return 500, soap.fault("InvalidRequest", str(exc), fault_code="Client")
        try:
            actor = invocation_checks.caller(
                lambda pem: self.gctp.gate.actor_for_certificate(pem, client=client), certificate_pem,
                request.invocation if request.has_invocation_context else None,
                label=_LABEL, service_uuids=SERVICE_UUIDS)
            message = request.values.get("gctpMessage", "")
            if not message:
                raise InvalidCallParameters(f"{_LABEL} - the request has no gctpMessage")
            try:
                document = gctp.parse_request(message.encode(gctp.ENCODING, "xmlcharrefreplace"))
            except GctpError as exc:
                raise InvalidCallParameters(f"{_LABEL} - gctpMessage is not a GCTP document: {exc.text}") from None
            reply = self.gctp.answer(document, client=client, actor=actor)
        except Exception as exc:  # every failure of the call is a fault; the gate has recorded its own
            code, text = fault_for(exc)
            if code == "InternalError":
                log.exception("CPRLookup call failed")
            return 500, soap.fault(code, text)
        result = reply.body.decode(gctp.ENCODING)
        return 200, soap.string_answer(soap.CPRLOOKUP_NS, "callGCTPCheckServiceResponse", "result", result)


class CprLookupApp:
    """The CPRLookup paths as a plain ASGI application in front of ``fallback``."""

    def __init__(self, handler: CprLookupHandler, fallback) -> None:
        self.handler = handler
        self.fallback = fallback

    async def __call__(self, scope, receive, send_) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        key = path.lower().rstrip("/")
        if key not in PATHS:
            await self.fallback(scope, receive, send_)
            return
        if scope["method"] == "GET":
            query = scope.get("query_string", b"").decode("latin-1").lower()
            if query.split("&")[0] in ("wsdl", "wsdl="):
                await send(send_, 200, soap.cprlookup_wsdl(address(scope, _ORIGINAL[key]), PATHS[key]), [XML])
            else:
                await send(send_, 404, b"not found: ask for ?wsdl", [(b"content-type", b"text/plain")])
            return
        if scope["method"] != "POST":
            await send(send_, 405, b"only GET (?wsdl) and POST", [(b"allow", b"GET, POST")])
            return
        body = await read_body(receive)
        client = scope.get("client")
        if body is None:
            status, reply = 500, soap.fault("InvalidRequest", "the request is too large", fault_code="Client")
        else:
            status, reply = await run_in_threadpool(self.handler.handle, body, certificate(scope),
                                                    client[0] if client else None)
        await send(send_, status, reply, [XML])
