"""SF6002 (CPR Abonnement) over SOAP 1.1: the adapter between the wire and the subscription services.

Served at Serviceplatformen's path ``/service/CprSubscription/CprSubscription/1/`` (matched without
regard to case, with or without the trailing slash: CPR Broker writes ``CPRSubscription``):

* ``GET …/1/?wsdl`` — the contract's WSDL with this server's address; ``GET …/1/<name>.xsd`` the
  schemas it includes (so zeep and WCF can read the contract from the server);
* ``POST …/1/`` — a call. The caller is the subscriber system of the client certificate the TLS
  layer verified (``scope["extensions"]["tls"]["client_cert_chain"]``, see
  :mod:`opencpr.server`); the gate checks its group, the services check the Invocation Context,
  every call is audited on the system and counted for billing.

Errors are SOAP faults (:func:`opencpr.formats.soap.fault`) with HTTP status 500, as SOAP 1.1 and
WS-I Basic Profile (R1126) require for a fault; an error of the server itself is a fault too
(``InternalError``), never an unanswered request. Nothing here decides anything: the adapter
reads, calls the gate and writes.
"""

from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool

from opencpr.api.soap.common import MAX_BODY, address, certificate, fault_for, read_body
from opencpr.api.soap.common import XML as _XML
from opencpr.api.soap.common import send as _send
from opencpr.formats import soap
from opencpr.services.gate import Gate
from opencpr.services.subscriptions import filters
from opencpr.services.subscriptions.errors import NoClientCertificate

__all__ = ["PATH", "Sf6002App", "Sf6002Handler"]

#: The service's path as Serviceplatformen serves it.
PATH = "/service/CprSubscription/CprSubscription/1/"
_MATCH = PATH.lower().rstrip("/")

log = logging.getLogger("opencpr.sf6002")


class Sf6002Handler:
    """One SF6002 request: bytes and the peer certificate in, bytes out."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def handle(self, body: bytes, certificate: str | None, client: str | None) -> tuple[int, bytes]:
        try:
            request = soap.parse_request(body)
        except soap.SoapFormatError as exc:
            return 500, soap.fault("InvalidRequest", str(exc), fault_code="Client")
        try:
            if not certificate:
                raise NoClientCertificate("a client certificate is required (two-way TLS with the system's "
                                          "OCES certificate)")
            spec = filters.operation(request.operation)
            if not request.has_invocation_context:
                raise filters.InvalidCallParameters("the request has no InvocationContext")
            actor = self.gate.actor_for_certificate(certificate, client=client)
            outcome = self.gate.call(actor, spec, **filters.call_keys(request.values, request.invocation))
        except Exception as exc:  # every failure is a fault; the gate has recorded it
            code, text = fault_for(exc)
            if code == "InternalError":
                log.exception("SF6002 %s failed", request.operation)
            return 500, soap.fault(code, text)
        if "filters" in outcome.info:
            found: filters.Filters = outcome.info["filters"]
            return 200, soap.filters_answer(list(found.age_ranges), sorted(found.change_codes),
                                            sorted(found.municipalities), sorted(found.pnrs))
        return 200, soap.result_answer(request.operation, outcome.info["result"])


class Sf6002App:
    """The SF6002 path as a plain ASGI application in front of ``fallback``."""

    def __init__(self, handler: Sf6002Handler, fallback) -> None:
        self.handler = handler
        self.fallback = fallback

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        lowered = path.lower()
        if not lowered.startswith(_MATCH):
            await self.fallback(scope, receive, send)
            return
        rest = lowered[len(_MATCH):]
        if scope["method"] == "GET":
            await self._contract(scope, send, path[len(_MATCH):].lstrip("/"), rest)
            return
        if rest not in ("", "/"):
            await self.fallback(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _send(send, 405, b"only GET (?wsdl) and POST", [(b"allow", b"GET, POST")])
            return
        body = await read_body(receive)
        client = scope.get("client")
        if body is None:
            status, reply = 500, soap.fault("InvalidRequest", f"the request is larger than {MAX_BODY} bytes",
                                            fault_code="Client")
        else:
            status, reply = await run_in_threadpool(self.handler.handle, body, certificate(scope),
                                                    client[0] if client else None)
        await _send(send, status, reply, [_XML])

    async def _contract(self, scope, send, name: str, rest: str) -> None:
        query = scope.get("query_string", b"").decode("latin-1").lower()
        if rest in ("", "/") and query.split("&")[0] in ("wsdl", "wsdl="):
            await _send(send, 200, soap.wsdl(address(scope, PATH)), [_XML])
            return
        if name in soap.CONTRACT_FILES:
            await _send(send, 200, soap.contract_file(name), [_XML])
            return
        await _send(send, 404, b"not found: ask for ?wsdl", [(b"content-type", b"text/plain")])
