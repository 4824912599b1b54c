"""The GCTP adapter: ``POST /cpr-online-gctp/gctp`` — CPR's XML protocol, translated to service calls.

The adapter reads the document (:mod:`opencpr.formats.gctp`), signs on or resolves the ``Token``
cookie through the gate, finds the service in the catalogue, maps its key fields to parameters,
calls the gate, and writes the answer in the shape the catalogue declares. Every failure is a
Kvit answer with HTTP 200, as CPR answers: unknown token 901, unknown service 10, unknown field
16, malformed PNR 52, person not found 172, no access 5, unreadable document 910, DTD 911, body
too large 912.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

from opencpr.api.answering import answer_collecting
from opencpr.domain.kvit import Kvit, KvitError
from opencpr.formats import gctp
from opencpr.formats.fields import Fmt, Out
from opencpr.formats.gctp import Answer, FieldValue, GctpError
from opencpr.services import catalogue as cat
from opencpr.services.catalogue import SearchService, Shape
from opencpr.services.contract import Outcome
from opencpr.services.gate import Gate

log = logging.getLogger("opencpr.gctp")

PATH = "/cpr-online-gctp/gctp"


@dataclass(frozen=True)
class Reply:
    """What goes back over HTTP: the body and, after a signon, the ``Set-Cookie`` value."""

    body: bytes
    cookie: str | None = None


def token_from_cookie(header: str | None) -> str | None:
    """The ``Token`` cookie's value; the name is matched in any case (one client sends ``TOKEN``)."""
    if not header:
        return None
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip().casefold() == "token":
            return value.strip().strip('"') or None
    return None


def set_cookie(token: str, expires: dt.datetime) -> str:
    """``Token=<8 chars>; Expires=<RFC 1123>; Path=/`` — a ``;`` must follow the value."""
    moment = expires if expires.tzinfo else expires.astimezone()
    return f"Token={token}; Expires={format_datetime(moment.astimezone(dt.UTC), usegmt=True)}; Path=/"


# --- values -> GCTP fields -------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "X" if value else None
    return str(value)


def wire_value(out: Out, value: Any) -> str | None:
    """A record value as the GCTP field value of ``out``."""
    if value is None or value == "" or value is False:
        return None
    fmt = out.fmt
    if fmt is Fmt.TEXT:
        return _text(value)
    if fmt is Fmt.FLAG:
        return out.mark if value else None
    text = str(value)
    if fmt is Fmt.DATE8:
        return text[:10].replace("-", "")
    if fmt is Fmt.TS12:
        digits = text.replace("-", "").replace(":", "").replace("T", "").replace(" ", "")
        return digits[:12]
    if fmt is Fmt.PAD4:
        return text.ljust(4)
    raise AssertionError(fmt)  # pragma: no cover


def field_values(outs: tuple[Out, ...], record: Mapping[str, Any]) -> list[FieldValue]:
    values = []
    for out in outs:
        values.append(FieldValue(
            out.name, wire_value(out, record.get(out.key)),
            _text(record.get(out.t)) if out.t else None,
            _text(record.get(out.tl)) if out.tl else None,
            _text(record.get(out.tm)) if out.tm else None,
            _text(record.get(out.ts)) if out.ts else None,
        ))
    return values


def answer_for(service: SearchService, outcome: Outcome, header: Mapping[str, str]) -> Answer:
    """The protocol-shaped answer of a service outcome, as the catalogue declares it."""
    answer = Answer(service.system, service.name, dict(header), service.shape.value, service.table_name)
    if service.shape in (Shape.FLAT, Shape.PRAES):
        record = outcome.records[0] if outcome.records else {}
        answer.flat = field_values(service.fields, record)
        return answer
    info = outcome.info
    keys = info.get("row_keys")
    for i, record in enumerate(outcome.records):
        key = keys[i] if keys else str(i)
        answer.rows.append((key, field_values(service.fields, record)))
    if service.shape is Shape.SEARCH:
        answer.head = field_values(service.head, info)
        answer.tail = field_values(service.tail, info)
        if service.summary and info.get("summary") is not None:
            answer.summary = (str(info.get("summary_key", "")), field_values(service.summary, info["summary"]))
        if info.get("count") is not None and info.get("count_only"):
            answer.table_attrs["aia"] = str(info["count"])
    return answer


# --- the handler ------------------------------------------------------------------------------------

def _signon_refused() -> Reply:
    raise GctpError("Signon bruges ikke her: systemet er kendt på sit certifikat", kvit=Kvit.UNKNOWN_SERVICE)


class GctpHandler:
    """Answers GCTP documents through the gate; framework-free (the HTTP route wraps it)."""

    def __init__(self, gate: Gate, env: str | None = None) -> None:
        self.gate = gate
        self.env = env

    def handle(self, body: bytes, cookie_header: str | None = None, client: str | None = None) -> Reply:
        """Read and answer one GCTP document."""
        request = self.read(body, client)
        if isinstance(request, Reply):
            return request
        if request.signon is not None:
            return self._guard(request, client, lambda: self._signon(request, client))
        return self.answer(request, cookie_header, client)

    def read(self, body: bytes, client: str | None = None) -> gctp.Request | Reply:
        """The request in ``body``, or the Kvit answer (910, 911, 912) for one that cannot be read."""
        limits = self.gate.limits
        try:
            return gctp.parse_request(body, max_body=limits.max_body, max_fields=limits.max_fields)
        except GctpError as exc:
            self.gate.refused(client, "GCTP", exc.code, exc.text)
            return Reply(gctp.error_answer("1.0", exc.code, exc.text, env=self.env))

    def answer(self, request: gctp.Request, cookie_header: str | None = None, client: str | None = None, *,
               actor: Any = None) -> Reply:
        """Answer a read request (a service call; signons through :meth:`signon_async` or :meth:`handle`).

        ``actor`` is a caller the door has already identified (CPRLookup: the client certificate's
        system); then no token is read and a signon is refused (Kvit 10)."""
        if request.signon is not None:
            if actor is not None:
                return self._guard(request, client, _signon_refused)
            return self._guard(request, client, lambda: self._signon(request, client))
        request_service = request.service
        assert request_service is not None
        return self._guard(request, client, lambda: Reply(self._service(request.version, request_service,
                                                                          cookie_header, client, actor)))

    async def signon_async(self, request: gctp.Request, client: str | None) -> Reply:
        """A signon or password change, its password hashed off the event loop (:meth:`Gate.signon_async`)."""
        sik = request.signon
        assert sik is not None
        try:
            if sik.function == "newpass":
                result = await self.gate.signon_async(sik.userid, sik.password, new_password=sik.newpass or "",
                                                      repeated=sik.newpass_repeated, client=client)
            else:
                result = await self.gate.signon_async(sik.userid, sik.password, client=client)
        except Exception:
            log.exception("GCTP signon failed")
            return Reply(self._error(request.version, None, Kvit.INTERNAL_ERROR.code, Kvit.INTERNAL_ERROR.text))
        return self._signon_reply(request.version, result)

    def _guard(self, request: gctp.Request, client: str | None, run) -> Reply:
        """Run ``run``; every failure is a Kvit answer, and one the gate did not record is a refusal."""
        version, service = request.version, request.service
        try:
            return run()
        except KvitError as exc:
            if not exc.recorded:
                self.gate.refused(client, service.service if service is not None else "GCTP", exc.code, exc.text)
            return Reply(self._error(version, service, exc.code, exc.text, getattr(exc, "lines", ())))
        except Exception:  # the server answers, whatever went wrong
            log.exception("GCTP request failed")
            return Reply(self._error(version, service, Kvit.INTERNAL_ERROR.code, Kvit.INTERNAL_ERROR.text))

    def _stamp(self) -> str:
        """A ``ts`` as CPR writes it: yyyyMMddHHmmss and six more digits (unique per answer)."""
        now = self.gate.clock.now()
        return f"{now:%Y%m%d%H%M%S}{time.time_ns() // 1000 % 1_000_000:06d}"

    def _error(self, version: str, request: gctp.ServiceRequest | None, code: int, text: str,
               lines: tuple[str, ...] | list[str] = ()) -> bytes:
        if request is None:
            return gctp.error_answer(version, code, text, env=self.env)
        return gctp.error_answer(version, code, text, system=request.system or "CprSoeg", service=request.service,
                                 header=request.header, env=self.env, lines=lines)

    def _signon(self, request: gctp.Request, client: str | None) -> Reply:
        sik = request.signon
        assert sik is not None
        if sik.function == "newpass":
            result = self.gate.change_password(sik.userid, sik.password, sik.newpass or "", sik.newpass_repeated,
                                               client=client)
        else:
            result = self.gate.signon(sik.userid, sik.password, client=client)
        return self._signon_reply(request.version, result)

    def _signon_reply(self, version: str, result) -> Reply:
        body = gctp.signon_answer(version, result.code, result.text, env=self.env)
        cookie = set_cookie(result.token, result.expires_at) if result.ok and result.token else None
        return Reply(body, cookie)

    def _service(self, version: str, request: gctp.ServiceRequest, cookie_header: str | None,
                 client: str | None, actor: Any = None) -> bytes:
        if actor is None:
            actor = self.gate.actor_for_token(token_from_cookie(cookie_header) or "", client=client)
        if request.system.casefold() == "cprajour" and request.service.strip().upper() == "VENTEREG":
            return pending_reply(self.gate, self.env, version, request, actor)
        if request.system.casefold() == "cprajour":
            return update_reply(self.gate, self.env, version, request, actor)
        service = cat.find(request.service)
        params = service.wire_params(request.keys)
        outcome = self.gate.call(actor, service.spec, **params)
        header = {"ts": request.header.get("ts") or self._stamp()}
        return gctp.service_answer(version, answer_for(service, outcome, header), env=self.env)


# --- update services (System r="CprAjour") -------------------------------------------------------------

def _update_keys(request: gctp.ServiceRequest) -> dict[str, str]:
    """The keys of an update request: PNR and event date (HDTO) from Key, the authority from ``mk``."""
    keys: dict[str, str] = {}
    for name, value in request.keys:
        low = name.casefold()
        if low == "pnr":
            keys["pnr"] = value
        elif low in ("hdto", "haenddto", "haendelsesdato"):
            keys["event_date"] = value
        elif low == "mk":
            keys["authority"] = value
        else:
            from opencpr.services.errors import UnknownField

            raise UnknownField(name, request.service)
    if request.header.get("mk"):
        keys.setdefault("authority", request.header["mk"])
    return keys


def _update_answer(service: str, header: dict[str, str], outcome: Outcome, action: str) -> gctp.UpdateAnswer:
    from opencpr.domain.events import event as find_event
    from opencpr.domain.records import cpr_field_names
    from opencpr.formats.gctp_updates import ACTION_TEXTS, MASTER_FIELDS, RECEIPT_FIELDS, WIRE_NAME

    info = outcome.info
    answer = gctp.UpdateAnswer("CprAjour", service, header,
                               [(WIRE_NAME[a], ACTION_TEXTS[a]) for a in info.get("actions", ())])
    if action == "initiate":
        answer.tables.append(("Stamdata", [field_values(MASTER_FIELDS, r) for r in outcome.records]))
        for table, rows in outcome.parts.items():  # the current data, protection applied by the gate
            names = cpr_field_names(table)
            columns = [c for c in (rows[0] if rows else {}) if c not in ("id", "pnr")]
            named = {c: names.get(c, (c.upper(), "A")) for c in columns}  # tables without a record type
            outs = tuple(Out(named[c][0], c, {"D": Fmt.DATE8, "T": Fmt.TS12, "U": Fmt.FLAG}.get(named[c][1], Fmt.TEXT),
                             mark="*" if named[c][1] == "U" else "X")
                         for c in columns)
            answer.tables.append((table, [field_values(outs, r) for r in rows]))
    elif action == "validate":
        event = find_event(service)
        values, texts = info.get("data", {}), info.get("texts", {})
        fields = [FieldValue(f.name, _text(values.get(f.param)), _text(texts.get(f.param)))
                  for f in (event.fields if event else ())]
        answer.tables.append(("Data", [fields]))
    elif action == "save":
        receipt = dict(info.get("receipt", {}))
        receipt["event_ids"] = " ".join(str(i) for i in receipt.get("event_ids", ()))
        receipt["persons"] = " ".join(receipt.get("persons", ()))
        answer.tables.append(("Kvittering", [field_values(RECEIPT_FIELDS, receipt)]))
        rows = [[FieldValue("PNR", e["pnr"]), FieldValue("HAENDELSE", e["event"]),
                 FieldValue("AFLEDTMRK", e["derived_marker"] or None)] for e in receipt.get("log", ())]
        answer.tables.append(("Haendelser", rows))
        offers = [[FieldValue("HAENDELSE", o["event"], o["title"]), FieldValue("PNR", p)]
                  for o in receipt.get("secondary", ()) for p in o["persons"]]
        if offers:  # the follow-on events of the case: initiated with st="S" pt="<this ts>"
            answer.tables.append(("Sekundaere", offers))
    return answer


def update_reply(gate: Gate, env: str | None, version: str, request: gctp.ServiceRequest, actor) -> bytes:
    """Answer one step of an update dialogue (initier, valider, gem, annuller)."""
    from opencpr.formats.gctp_updates import WIRE_ACTIONS, WIRE_NAME
    from opencpr.services import updates

    wire = (request.header.get("a") or "initier").strip().casefold()
    action = WIRE_ACTIONS.get(wire, wire if wire in updates.ACTIONS else "")
    if not action:
        from opencpr.services.errors import InvalidKey

        raise InvalidKey("a", wire, "initier, valider, gem eller annuller")
    keys = _update_keys(request)
    data = {name: value for name, value in request.data}
    kind = (request.header.get("st") or "P").strip().upper()
    if kind not in ("P", "S"):
        from opencpr.services.errors import InvalidKey

        raise InvalidKey("st", kind, "P (primær) eller S (sekundær)")
    primary = (request.header.get("pt") or "").strip() or None
    if kind == "S" and action == "initiate" and not primary:
        from opencpr.services.errors import MissingKey

        raise MissingKey("pt", request.service)
    waiting = (request.header.get("u") or "").strip().casefold() == "v"
    outcome = updates.step(gate, actor, request.service, action, ts=request.header.get("ts"),
                           data=data, primary=primary if kind == "S" or primary else None, waiting=waiting, **keys)
    header = {k: v for k, v in request.header.items() if k in ("mk", "st", "u", "pt")}
    header = {"a": WIRE_NAME[action], "ts": outcome.info.get("session", ""), **header}
    return gctp.update_answer(version, _update_answer(request.service, header, outcome, action), env=env)


# --- the pending register (System r="CprAjour", Service r="VENTEREG") -------------------------------------

def _summary(value: Any) -> str | None:
    """A report's data, before or after as one line of text (``KOMKOD=0851 (Aalborg), …``)."""
    if not value:
        return None
    if isinstance(value, dict) and all(isinstance(v, list) for v in value.values()):  # before: table -> rows
        parts = [", ".join(f"{k}={v}" for k, v in row.items() if v not in (None, "", False))
                 for rows in value.values() for row in rows]
        return "; ".join(p for p in parts if p) or None
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, "")) or None
    if isinstance(value, list):
        return ", ".join(f"{a['field']}={a['value']}" + (f" ({a['text']})" if a.get("text") else "")
                         for a in value if isinstance(a, dict) and "field" in a) or None
    return str(value)


def report_rows(reports: list[dict[str, Any]]) -> list[list[FieldValue]]:
    """The rows of ``Table r="Venteregister"``."""
    from opencpr.formats.gctp_pending import REPORT_FIELDS

    rows = []
    for report in reports:
        shown = dict(report, data_text=_summary(report.get("data")), before_text=_summary(report.get("before")),
                     after_text=_summary(report.get("after")),
                     problems_text="; ".join(f"{p['code']} {p['text']}" for p in report.get("problems") or ())
                     or None)
        rows.append(field_values(REPORT_FIELDS, shown))
    return rows


def pending_reply(gate: Gate, env: str | None, version: str, request: gctp.ServiceRequest, actor) -> bytes:
    """Answer a call on the pending register: status, tilbagetraek, indbakke, godkend, afvis."""
    from opencpr.formats.gctp_pending import SERVICE, WIRE_ACTIONS, WIRE_NAME
    from opencpr.services import pending
    from opencpr.services.errors import InvalidKey, UnknownField

    wire = (request.header.get("a") or "status").strip().casefold()
    action = WIRE_ACTIONS.get(wire)
    if action is None:
        raise InvalidKey("a", wire, ", ".join(WIRE_ACTIONS))
    keys: dict[str, str] = {}
    for name, value in (*request.keys, *request.data):
        low = name.strip().upper()
        if low not in ("VENTEID", "PNR", "KOMKOD", "BEGRUNDELSE", "FRA"):
            raise UnknownField(name, SERVICE)
        keys[low] = value
    pending_id = keys.get("VENTEID")
    if action in ("withdraw", "approve", "reject") and not pending_id:
        from opencpr.services.errors import MissingKey

        raise MissingKey("VENTEID", SERVICE)
    if action == "status":
        outcome = gate.call(actor, pending.REPORT_STATUS, pending_id=pending_id, pnr=keys.get("PNR"))
    elif action == "withdraw":
        outcome = gate.call(actor, pending.WITHDRAW_PENDING, pending_id=pending_id)
    elif action == "inbox":
        outcome = pending.inbox(gate, actor, municipality=keys.get("KOMKOD"), after=keys.get("FRA"))
    elif action == "approve":
        outcome = pending.approve(gate, actor, pending_id)
    else:
        outcome = pending.reject(gate, actor, pending_id, keys.get("BEGRUNDELSE") or "")
    header = {"a": WIRE_NAME[action], **{k: v for k, v in request.header.items() if k in ("ts", "mk")}}
    answer = gctp.UpdateAnswer("CprAjour", SERVICE, header, [])
    answer.tables.append(("Venteregister", report_rows(outcome.parts.get("pending_report", []))))
    receipt = outcome.info.get("receipt")
    if receipt:
        from opencpr.formats.gctp_updates import RECEIPT_FIELDS

        shown = dict(receipt, event_ids=" ".join(str(i) for i in receipt.get("event_ids", ())),
                     persons=" ".join(receipt.get("persons", ())))
        answer.tables.append(("Kvittering", [field_values(RECEIPT_FIELDS, shown)]))
        answer.tables.append(("Haendelser", [[FieldValue("PNR", e["pnr"]), FieldValue("HAENDELSE", e["event"]),
                                              FieldValue("AFLEDTMRK", e["derived_marker"] or None)]
                                             for e in receipt.get("log", ())]))
    if outcome.info.get("restart"):
        answer.header["fra"] = str(outcome.info["restart"])
    return gctp.update_answer(version, answer, env=env)


# --- the HTTP side: a plain ASGI application ------------------------------------------------------------

class GctpApp:
    """``POST /cpr-online-gctp/gctp`` as a plain ASGI application (no framework in the way: thousands
    of lookups a second). Other paths go to ``fallback`` (the REST application).

    ``inline`` answers in the event loop instead of a worker thread — right for an embedded
    database whose calls take a fraction of a millisecond.
    """

    def __init__(self, handler: GctpHandler, fallback, *, inline: bool = False) -> None:
        self.handler = handler
        self.fallback = fallback
        self.inline = inline

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH:
            await self.fallback(scope, receive, send)
            return
        if scope["method"] != "POST":
            await _send(send, 405, b"only POST", [(b"allow", b"POST"), (b"content-type", b"text/plain")])
            return
        cookie = None
        declared = None
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                cookie = value.decode("latin-1") if cookie is None else f"{cookie}; {value.decode('latin-1')}"
            elif name == b"content-length":
                declared = value
        client = scope.get("client")
        host = client[0] if client else None
        gate = self.handler.gate
        body = await _body(receive, declared, gate.limits.max_body)
        if body is None:
            gate.refused(host, "GCTP", Kvit.TOO_LARGE.code, Kvit.TOO_LARGE.text)
            reply = Reply(gctp.error_answer("1.0", Kvit.TOO_LARGE.code, Kvit.TOO_LARGE.text, env=self.handler.env))
        else:
            request = self.handler.read(body, host)
            if isinstance(request, Reply):
                reply = request
            elif request.signon is not None:  # password hashing: off the loop, in the gate's signon threads
                reply = await self.handler.signon_async(request, host)
            else:
                # answered on the loop (an embedded database) or in a worker thread; the answer leaves
                # once its audit record is committed, and the loop serves other requests meanwhile
                reply, tickets = await answer_collecting(gate, self.inline, self.handler.answer, request, cookie, host)
                try:
                    await gate.audit_durable(tickets)
                except Exception:
                    log.exception("GCTP answer withheld: its audit record was not written")
                    reply = Reply(self.handler._error(request.version, request.service, Kvit.INTERNAL_ERROR.code,
                                                      Kvit.INTERNAL_ERROR.text))
        headers = [(b"content-type", gctp.CONTENT_TYPE.encode("ascii"))]
        if reply.cookie:
            headers.append((b"set-cookie", reply.cookie.encode("latin-1")))
        await _send(send, 200, reply.body, headers)


async def _body(receive, declared: bytes | None, limit: int = gctp.MAX_BODY) -> bytes | None:
    """The request body, or None once it passes ``limit`` bytes (the rest is not kept)."""
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None  # the rest is not read: the server closes the connection after the answer
        if chunk:
            chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)


async def _send(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [*headers, (b"content-length", str(len(body)).encode("ascii"))]})
    await send({"type": "http.response.body", "body": body})
