"""SF1520 PersonBaseDataExtended ``PersonLookup`` over SOAP 1.1, versions 4 and 5, for systems
known by their client certificate.

Served at ``/service/CPR/PersonBaseDataExtended/4`` and ``/5`` (matched without regard to case):
``GET …?wsdl`` the contract's WSDL with this server's address (its imports at ``…?file=<name>``),
``POST`` a ``PersonLookupRequest``. The call is one service through the gate,
:data:`opencpr.services.person_lookup.PERSON_LOOKUP` (``SF1520``), for the certificate's
subscriber system: its group must grant ``SF1520``, the call is audited on the system and
counted for billing, name and address protection applies as for the GCTP services. The answer is
written by :mod:`opencpr.formats.sf1520`.

What is wrong with the call is a SOAP fault with Serviceplatformen's ``ServiceplatformFault``
(HTTP 500), as for SF6002 and CPRLookup: no client certificate (``NoClientCertificate``), no active
system (``UnknownUserSystem``), no or a bad Invocation Context (``InvalidCallParameters``,
``WrongServiceAgreement``, ``WrongService``), an AuthorityContext that is not a municipality's
CVR (``InvalidCallParameters``) or not the system's (``WrongMunicipality``), a group without SF1520
(``AccessDenied``), a malformed PNR (``InvalidCallParameters``), a PNR the register does not hold
(``PNRNotFound``), an unreadable envelope (``InvalidRequest``, ``soap:Client``).
"""

from __future__ import annotations

import logging
from urllib.parse import unquote

from opencpr.api.answering import answer_collecting
from opencpr.api.soap.common import XML, address, certificate, fault_for, read_body, send
from opencpr.formats import sf1520, soap
from opencpr.services.errors import MalformedPNR, PersonNotFound
from opencpr.services.gate import Gate
from opencpr.services.person_lookup import PERSON_LOOKUP, SERVICE_UUID, acting_for
from opencpr.services.subscriptions import invocation as invocation_checks
from opencpr.services.subscriptions.errors import InvalidCallParameters

__all__ = ["PATHS", "Sf1520App", "Sf1520Handler"]

#: Served paths (lower case) -> (the contract version, the path as published).
PATHS = {f"/service/cpr/personbasedataextended/{v}": (v, f"/service/CPR/PersonBaseDataExtended/{v}")
         for v in sf1520.VERSIONS}
_LABEL = "PersonBaseDataExtended"

log = logging.getLogger("opencpr.sf1520")


def _fault(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, PersonNotFound):
        return "PNRNotFound", f"{_LABEL} - no person with that PNR in the register"
    if isinstance(exc, MalformedPNR):
        return "InvalidCallParameters", f"{_LABEL} - PNR is not a valid CPR number: {exc.text}"
    return fault_for(exc)


class Sf1520Handler:
    """One PersonLookup request: bytes and the peer certificate in, (status, bytes) out."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def handle(self, version: str, body: bytes, certificate_pem: str | None, client: str | None) -> tuple[int, bytes]:
        try:
            request, municipality_cvr = sf1520.parse(body, version)
        except soap.SoapFormatError as exc:
            return 500, soap.fault("InvalidRequest", str(exc), fault_code="Client")
        try:
            actor = invocation_checks.caller(
                lambda pem: self.gate.actor_for_certificate(pem, client=client), certificate_pem,
                request.invocation if request.has_invocation_context else None,
                label=_LABEL, service_uuids=(SERVICE_UUID,))
            actor = acting_for(actor, municipality_cvr)
            if "PNR" not in request.values:
                raise InvalidCallParameters(f"{_LABEL} - the request has no PNR")
            outcome = self.gate.call(actor, PERSON_LOOKUP, pnr=request.values["PNR"])
        except Exception as exc:  # every failure of the call is a fault; the gate has recorded its own
            code, text = _fault(exc)
            if code == "InternalError":
                log.exception("PersonLookup call failed")
            return 500, soap.fault(code, text)
        try:
            return 200, sf1520.response(version, outcome.records[0], outcome.parts)
        except Exception:
            log.exception("PersonLookup answer could not be written")
            return 500, soap.fault("InternalError", "the service could not answer; nothing was stored")


class Sf1520App:
    """The SF1520 paths as a plain ASGI application in front of ``fallback``.

    ``inline`` answers in the event loop instead of a worker thread, as the GCTP door does on an
    embedded database. Either way the answer leaves once its audit record is committed, and the
    loop serves other requests while that group commits."""

    def __init__(self, handler: Sf1520Handler, fallback, *, inline: bool = False) -> None:
        self.handler = handler
        self.fallback = fallback
        self.inline = inline

    async def __call__(self, scope, receive, send_) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        found = PATHS.get(path.lower().rstrip("/"))
        if found is None:
            await self.fallback(scope, receive, send_)
            return
        version, published = found
        if scope["method"] == "GET":
            query = scope.get("query_string", b"").decode("latin-1")
            first = query.split("&")[0]
            here = address(scope, published)
            if first.lower() in ("wsdl", "wsdl="):
                await send(send_, 200, sf1520.wsdl(version, here), [XML])
                return
            if first.startswith("file="):
                document = sf1520.served_file(version, unquote(first[5:]), here)
                if document is not None:
                    await send(send_, 200, document, [XML])
                    return
            await send(send_, 404, b"not found: ask for ?wsdl", [(b"content-type", b"text/plain")])
            return
        if scope["method"] != "POST":
            await send(send_, 405, b"only GET (?wsdl) and POST", [(b"allow", b"GET, POST")])
            return
        body = await read_body(receive)
        client = scope.get("client")
        host = client[0] if client else None
        if body is None:
            status, reply = 500, soap.fault("InvalidRequest", "the request is too large", fault_code="Client")
        else:
            gate = self.handler.gate
            (status, reply), tickets = await answer_collecting(gate, self.inline, self.handler.handle, version, body,
                                                               certificate(scope), host)
            try:
                await gate.audit_durable(tickets)
            except Exception:
                log.exception("PersonLookup answer withheld: its audit record was not written")
                status, reply = 500, soap.fault("InternalError", "the service could not answer; nothing was stored")
        await send(send_, status, reply, [XML])
