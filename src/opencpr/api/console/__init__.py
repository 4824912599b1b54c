"""The caseworker console (``/console``): server-rendered pages over the same gate as GCTP.

Plain HTML forms (no JavaScript needed, no asset from outside the server): signon with user code
and password (and the forced password change), signoff, search by name, address or birth date,
a person's data, the municipality's inbox of citizens' reports (approve, reject), registering a
move through the update dialogue, the SF6002 deliveries lying unfetched (for groups granted
``SF6002-MONITOR``: the CPR office), and the front door ``/``. Every page calls services through
:class:`~opencpr.services.gate.Gate` with the signed-on user's actor: the console reads nothing
around it, and protection, audit and usage are the gate's, exactly as over GCTP.

Sessions: the gate's session token in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS),
ended after :data:`IDLE` without a request or at the token's own expiry; every form that changes
something carries a CSRF token derived from the session (:func:`csrf_token`). The CSRF key and
the last request of each session are kept in the database, so every server process (``opencpr
serve --workers N``) accepts a form another rendered and sees the same idle time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from opencpr.access.actor import Actor
from opencpr.api.limits import PendingId
from opencpr.domain.kvit import KvitError
from opencpr.services import catalogue as cat
from opencpr.services import errors, oversight, pending, updates
from opencpr.services.contract import Kind
from opencpr.services.gate import Gate
from opencpr.services.subscriptions.monitoring import MONITOR, UNFETCHED

__all__ = ["COOKIE", "IDLE", "PREFIX", "csrf_token", "install"]

PREFIX = "/console"
COOKIE = "opencpr_console"
IDLE = dt.timedelta(minutes=30)  # a console session ends after this long without a request
CSRF_KEY = "console-csrf"  # the name of the CSRF key in the shared keys (Gate.shared_key)
_HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(_HERE / "templates"))

#: The data kinds of the person page: (service, Danish heading), each read through the gate.
PERSON_KINDS: tuple[tuple[str, str], ...] = (
    ("ADRESSE1", "Adresser"), ("NAVNE", "Navne"), ("CIVST", "Civilstand"), ("STATSB", "Statsborgerskab"),
    ("FKIRK", "Folkekirke"), ("BESKYT", "Beskyttelse"), ("Familie+", "Familie og relationer"),
)


class Unauthenticated(Exception):
    """No console session (or it ended): back to signon."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


def csrf_token(token: str, secret: bytes) -> str:
    """The CSRF token of a session: an HMAC of the session token, so a page of another site can
    neither read nor forge it."""
    return hmac.new(secret, f"console-csrf:{token}".encode(), hashlib.sha256).hexdigest()[:40]


def _cell(out: Any, record: dict[str, Any]) -> dict[str, Any]:
    value = record.get(out.key)
    text = record.get(out.t) if out.t else None
    if value is True:
        value = "Ja"
    elif value is False or value == "":
        value = None
    digits = str(value) if value is not None else ""
    link = digits if len(digits) == 10 and digits.isdigit() and "pnr" in out.key.lower() else None
    return {"value": value, "text": text, "link": link}


def table_of(service_name: str, outcome: Any) -> dict[str, Any]:
    """A service's answer as a table for a template: its fields by CPR name, rows of cells."""
    service = cat.find(service_name)
    outs = [o for o in service.fields]
    rows = [[_cell(o, r) for o in outs] for r in outcome.records]
    used = [i for i, o in enumerate(outs) if any(row[i]["value"] is not None or row[i]["text"] for row in rows)]
    current = [bool(r.get("current")) if "current" in r else None for r in outcome.records]
    return {"columns": [outs[i].name for i in used], "rows": [[row[i] for i in used] for row in rows],
            "current": current}


def relatives_of(pnr: str, outcome: Any) -> list[dict[str, Any]]:
    """The relatives' rows of a Familie+ answer (rows 1..n, not the person itself), for links to them.

    The relative's PNR is ``relative_pnr`` (CPR's ``PNR_FOEDDATO``); the address is what the gate
    let out (blank for a protected relative and a group without access)."""
    rows = []
    for r in outcome.records:
        relative = str(r.get("relative_pnr") or "")
        if not relative or relative == pnr:
            continue
        address = ", ".join(str(x) for x in (r.get("standard_address"), " ".join(
            str(y) for y in (r.get("postal_code"), r.get("postal_district")) if y)) if x)
        rows.append({"pnr": relative, "link": relative if len(relative) == 10 and relative.isdigit() else None,
                     "relation": r.get("relation") or "", "name": r.get("addressing_name") or "",
                     "status": r.get("status") or "", "protected": bool(r.get("protection_type")),
                     "address": address})
    return rows


def install(app: FastAPI, gate: Gate, *, unfetched_days: float = 7.0) -> None:
    """Add the console, its static files and the front door ``/`` to ``app``."""
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(_HERE / "static")), name="console-static")
    app.include_router(router(gate, unfetched_days=unfetched_days))


def may_monitor(actor: Actor) -> bool:
    """The actor's group may look at the deliveries lying unfetched (the menu shows the page)."""
    return actor.group.permissions.grant_for(Kind.SUBSCRIPTION, MONITOR) is not None


def router(gate: Gate, *, unfetched_days: float = 7.0) -> APIRouter:
    api = APIRouter(include_in_schema=False)
    keys: list[bytes] = []
    keys_lock = threading.Lock()

    def secret() -> bytes:
        """The CSRF key: made once per database and shared by every server process (``server_key``)."""
        if not keys:
            with keys_lock:
                if not keys:
                    keys.append(gate.shared_key(CSRF_KEY))
        return keys[0]

    def client_of(request: Request) -> str | None:
        return request.client.host if request.client else None

    def actor_of(request: Request) -> tuple[Actor, str]:
        token = request.cookies.get(COOKIE) or ""
        if not token:
            raise Unauthenticated()
        if not gate.touch_console(token, IDLE):
            gate.signoff(token)
            raise Unauthenticated("Sessionen er udløbet efter 30 minutter uden brug. Log på igen.")
        try:
            return gate.actor_for_token(token, client=client_of(request)), token
        except KvitError:
            raise Unauthenticated("Sessionen er udløbet. Log på igen.") from None

    def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return templates.TemplateResponse(request, name, context, status_code=status)

    def page(request: Request, name: str, actor: Actor, token: str, status: int = 200,
             **context: Any) -> HTMLResponse:
        allows = actor.group.permissions.allows
        may = {"move": allows(Kind.EVENT, "A01"),
               "audit": allows(Kind.SEARCH, "PERSONLOG") or allows(Kind.SEARCH, "PERSONLOG-KOM"),
               "usage": allows(Kind.SEARCH, "FORBRUG"), "monitor": may_monitor(actor)}
        return render(request, name, status, user=actor, csrf=csrf_token(token, secret()), may=may, **context)

    def check_csrf(token: str, given: str) -> None:
        if not hmac.compare_digest(csrf_token(token, secret()), given or ""):
            raise PermissionError("CSRF")

    def session_cookie(response: Response, request: Request, token: str, expires: dt.datetime | None) -> None:
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path=PREFIX,
                            secure=request.url.scheme == "https",
                            max_age=int((expires - gate.clock.now()).total_seconds()) if expires else None)

    async def guarded(request: Request, handler, *args: Any) -> Response:
        try:
            actor, token = actor_of(request)
        except Unauthenticated as exc:
            response = RedirectResponse(f"{PREFIX}/signon" + (f"?{urlencode({'msg': exc.message})}"
                                                              if exc.message else ""), status_code=303)
            response.delete_cookie(COOKIE, path=PREFIX)
            return response
        try:
            return await run_in_threadpool(handler, request, actor, token, *args)
        except PermissionError:
            return render(request, "error.html", 403, user=actor, message="Formularen er udløbet eller kommer "
                          "ikke fra konsollen (CSRF). Gå tilbage og prøv igen.")

    # --- the front door ---------------------------------------------------------------------------------

    @api.get("/", response_class=HTMLResponse)
    def front(request: Request) -> Response:
        return render(request, "front.html", services=len(cat.catalogue()))

    # --- signon, password change, signoff ---------------------------------------------------------------

    @api.get(f"{PREFIX}/signon", response_class=HTMLResponse)
    def signon_form(request: Request, msg: str = "") -> Response:
        return render(request, "signon.html", message=msg)

    @api.post(f"{PREFIX}/signon", response_class=HTMLResponse)
    def signon(request: Request, user_code: str = Form(""), password: str = Form("")) -> Response:
        result = gate.signon(user_code.strip().upper(), password, client=client_of(request))
        if result.code == 906:  # expired or one-time password: the forced change
            return render(request, "password.html", user_code=user_code.strip().upper(),
                          message="Kodeordet er udløbet eller skal skiftes. Vælg et nyt kodeord.")
        if not result.ok or not result.token:
            return render(request, "signon.html", 401, message=f"{result.text} (Kvit {result.code})",
                          user_code=user_code)
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        session_cookie(response, request, result.token, result.expires_at)
        return response

    @api.post(f"{PREFIX}/password", response_class=HTMLResponse)
    def change_password(request: Request, user_code: str = Form(""), password: str = Form(""),
                        new_password: str = Form(""), repeated: str = Form("")) -> Response:
        result = gate.change_password(user_code.strip().upper(), password, new_password, repeated,
                                      client=client_of(request))
        if not result.ok or not result.token:
            problems = "; ".join(result.problems) if getattr(result, "problems", None) else ""
            return render(request, "password.html", 400, user_code=user_code,
                          message=f"{result.text} (Kvit {result.code}){': ' + problems if problems else ''}")
        response = RedirectResponse(f"{PREFIX}/", status_code=303)
        session_cookie(response, request, result.token, result.expires_at)
        return response

    @api.post(f"{PREFIX}/signoff")
    async def signoff(request: Request) -> Response:
        def run(request: Request, actor: Actor, token: str, form: Any) -> Response:
            check_csrf(token, form.get("csrf", ""))
            gate.signoff(token)
            response = RedirectResponse(f"{PREFIX}/signon?{urlencode({'msg': 'Du er logget af.'})}", status_code=303)
            response.delete_cookie(COOKIE, path=PREFIX)
            return response
        return await guarded(request, run, await request.form())

    # --- home and search ----------------------------------------------------------------------------------

    @api.get(PREFIX, response_class=HTMLResponse)
    @api.get(f"{PREFIX}/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        return await guarded(request, lambda request, actor, token: page(request, "home.html", actor, token))

    _SEARCHES = {"name": "NVNSOG2", "address": "ADRSOG1", "birth": "FOEDSOG"}

    def search_run(request: Request, actor: Actor, token: str) -> Response:
        q = request.query_params
        kind = q.get("kind", "name")
        params: dict[str, str] = {}
        if kind == "name" and q.get("name"):
            params = {"name": q["name"]}
        elif kind == "address" and (q.get("road") or q.get("postal_code")):
            params = {k: q[k] for k in ("municipality", "road", "house_no", "postal_code") if q.get(k)}
        elif kind == "birth" and q.get("born"):
            params = {"born": q["born"].replace("-", "")}
        result, error = None, None
        if params and kind in _SEARCHES:
            service = cat.find(_SEARCHES[kind])
            params |= {"max_rows": "20"} | ({"restart": q["restart"]} if q.get("restart") else {})
            try:
                outcome = gate.call(actor, service.spec, **params)
                result = {"table": table_of(service.name, outcome), "more": outcome.info.get("more"),
                          "restart": outcome.info.get("restart")}
            except KvitError as exc:
                error = f"{exc.text} (Kvit {exc.code})"
        next_query = None
        if result and result["more"] and result["restart"]:
            next_query = urlencode({**{k: v for k, v in q.items() if k != "restart"}, "restart": result["restart"]})
        return page(request, "search.html", actor, token, q=q, kind=kind, result=result, error=error,
                    next_query=next_query)

    @api.get(f"{PREFIX}/search", response_class=HTMLResponse)
    async def search(request: Request) -> Response:
        return await guarded(request, search_run)

    # --- a person --------------------------------------------------------------------------------------------

    def person_run(request: Request, actor: Actor, token: str, pnr: str) -> Response:
        master, error = None, None
        try:
            outcome = gate.call(actor, cat.find("Stam+").spec, pnr=pnr)
            master = outcome.records[0] if outcome.records else None
        except KvitError as exc:
            error = f"{exc.text} (Kvit {exc.code})"
        kinds = []
        if master is not None:
            for name, heading in PERSON_KINDS:
                try:
                    outcome = gate.call(actor, cat.find(name).spec, pnr=pnr)
                    if name == "Familie+":  # row 0 is the person itself: the relatives, each a link
                        kinds.append({"heading": heading, "service": name, "relatives": relatives_of(pnr, outcome)})
                        continue
                    kinds.append({"heading": heading, "service": name, "table": table_of(name, outcome)})
                except KvitError as exc:
                    kinds.append({"heading": heading, "service": name, "error": f"{exc.text} (Kvit {exc.code})"})
        return page(request, "person.html", actor, token, pnr=pnr, master=master, kinds=kinds, error=error)

    @api.get(f"{PREFIX}/person", response_class=HTMLResponse)
    def person_by_query(pnr: str = "") -> Response:
        digits = "".join(c for c in pnr if c.isdigit())
        return RedirectResponse(f"{PREFIX}/person/{digits}" if digits else f"{PREFIX}/search", status_code=303)

    @api.get(f"{PREFIX}/person/{{pnr}}", response_class=HTMLResponse)
    async def person(request: Request, pnr: str) -> Response:
        return await guarded(request, person_run, pnr)

    # --- a person's audit trail, the authority's usage ------------------------------------------------------

    def audit_run(request: Request, actor: Actor, token: str, pnr: str) -> Response:
        records, error, restart = [], None, None
        before = request.query_params.get("before")
        try:
            outcome = oversight.person_audit(gate, actor, pnr, before=before)
            records, restart = outcome.records, outcome.info.get("restart")
        except KvitError as exc:
            error = f"{exc.text} (Kvit {exc.code})"
        return page(request, "audit.html", actor, token, pnr=pnr, records=records, error=error, restart=restart)

    @api.get(f"{PREFIX}/person/{{pnr}}/audit", response_class=HTMLResponse)
    async def person_audit(request: Request, pnr: str) -> Response:
        return await guarded(request, audit_run, pnr)

    def usage_run(request: Request, actor: Actor, token: str) -> Response:
        month = request.query_params.get("month") or gate.clock.now().strftime("%Y-%m")
        lines, error, total = [], None, 0
        try:
            outcome = oversight.usage(gate, actor, month)
            lines, total = outcome.records, outcome.info.get("total", 0)
        except KvitError as exc:
            error = f"{exc.text} (Kvit {exc.code})"
        return page(request, "usage.html", actor, token, month=month, lines=lines, total=total, error=error)

    @api.get(f"{PREFIX}/usage", response_class=HTMLResponse)
    async def usage_page(request: Request) -> Response:
        return await guarded(request, usage_run)

    # --- the municipality's inbox --------------------------------------------------------------------------

    def inbox_run(request: Request, actor: Actor, token: str, message: str | None = None,
                  problems: list[Any] | None = None) -> Response:
        reports, error = [], None
        try:
            reports = pending.inbox(gate, actor).parts.get("pending_report", [])
        except KvitError as exc:
            error = f"{exc.text} (Kvit {exc.code})"
        return page(request, "pending.html", actor, token, reports=reports, error=error, message=message,
                    problems=problems or [])

    @api.get(f"{PREFIX}/pending", response_class=HTMLResponse)
    async def inbox_page(request: Request) -> Response:
        return await guarded(request, inbox_run)

    @api.post(f"{PREFIX}/pending/{{pending_id}}/{{decision}}", response_class=HTMLResponse)
    async def decide(request: Request, pending_id: PendingId, decision: str) -> Response:
        form = await request.form()

        def run(request: Request, actor: Actor, token: str) -> Response:
            check_csrf(token, str(form.get("csrf", "")))
            try:
                if decision == "approve":
                    outcome = pending.approve(gate, actor, pending_id)
                    where = outcome.info["receipt"]["where"]
                    message = (f"Indberetning {pending_id} er godkendt og registreret i CPR." if where == "register"
                               else f"Indberetning {pending_id} er godkendt og registreres på hændelsesdatoen.")
                elif decision == "reject":
                    pending.reject(gate, actor, pending_id, str(form.get("reason", "")))
                    message = f"Indberetning {pending_id} er afvist."
                else:
                    return render(request, "error.html", 404, user=actor, message="Ukendt afgørelse")
            except errors.DataRefused as exc:
                return inbox_run(request, actor, token, f"Indberetning {pending_id} kan ikke godkendes: "
                                 f"{exc.kvit.text}", [p.as_dict() for p in exc.problems])
            except KvitError as exc:
                return inbox_run(request, actor, token, f"{exc.text} (Kvit {exc.code})")
            return inbox_run(request, actor, token, message)
        return await guarded(request, run)

    # --- SF6002 deliveries lying unfetched (the CPR office) ---------------------------------------------------

    def deliveries_run(request: Request, actor: Actor, token: str) -> Response:
        raw = request.query_params.get("days", "")
        deliveries, error, days, status = [], None, unfetched_days, 200
        try:
            outcome = gate.call(actor, UNFETCHED, days=raw or unfetched_days)
            deliveries, days = outcome.records, outcome.info["days"]
        except KvitError as exc:
            error = f"{exc.text} (Kvit {exc.code})"
            status = 403 if isinstance(exc, errors.NoAccess) else 400
        return page(request, "deliveries.html", actor, token, status, deliveries=deliveries, days=days,
                    error=error)

    @api.get(f"{PREFIX}/deliveries", response_class=HTMLResponse)
    async def deliveries_page(request: Request) -> Response:
        return await guarded(request, deliveries_run)

    # --- registering a move (initiate → validate → save) -------------------------------------------------------

    def roads_of(actor: Actor, municipality: str, name: str) -> list[dict[str, Any]]:
        """The road register's roads of the municipality: by name (VEJNVN), or the first 500 (VEJSOEG)."""
        try:
            if name:
                outcome = gate.call(actor, cat.find("VEJNVN").spec, municipality=municipality, road_name=name,
                                    max_rows="200")
            else:
                outcome = gate.call(actor, cat.find("VEJSOEG").spec, municipality=municipality, max_rows="500")
        except KvitError:
            return []
        return [{"road": r.get("road"), "name": r.get("road_name"), "postal_code": r.get("postal_code")}
                for r in outcome.records]

    def move_run(request: Request, actor: Actor, token: str, form: dict[str, str]) -> Response:
        step = form.get("step", "")
        pnr, date = form.get("pnr", "").strip(), form.get("event_date", "").strip().replace("-", "")
        context: dict[str, Any] = {"form": form, "step": "start", "problems": [], "error": None}
        if step:
            check_csrf(token, form.get("csrf", ""))
        data = {k: form.get(v, "").strip() for k, v in (("KOMKOD", "municipality"), ("VEJKOD", "road"),
                                                       ("HUSNR", "house_no"), ("ETAGE", "floor"),
                                                       ("SIDEDOER", "door")) if form.get(v, "").strip()}
        try:
            if step == "initiate":
                outcome = updates.step(gate, actor, "A01", "initiate", pnr=pnr, event_date=date)
                context |= {"step": "data", "session": outcome.info["session"], "master": outcome.records[0],
                            "current": outcome.parts.get("address", [])}
            elif step == "roads":  # find roads by name, then choose one
                context |= {"step": "data", "session": form.get("session", "")}
            elif step in ("validate", "save", "cancel"):
                ts = form.get("session", "")
                if step == "cancel":
                    updates.step(gate, actor, "A01", "cancel", pnr=pnr, event_date=date, ts=ts)
                    context |= {"step": "start", "message": "Flytningen er annulleret."}
                elif step == "validate":
                    context |= {"step": "data", "session": ts}
                    outcome = updates.step(gate, actor, "A01", "validate", pnr=pnr, event_date=date, ts=ts, data=data)
                    context |= {"step": "validated", "data": data, "texts": outcome.info.get("texts", {}),
                                "values": outcome.info.get("data", {})}
                else:
                    outcome = updates.step(gate, actor, "A01", "save", pnr=pnr, event_date=date, ts=ts, data=data)
                    context |= {"step": "saved", "receipt": outcome.info["receipt"]}
        except errors.DataRefused as exc:
            context["problems"] = [p.as_dict() for p in exc.problems]
        except KvitError as exc:
            context["error"] = f"{exc.text} (Kvit {exc.code})"
        municipality = form.get("municipality") or actor.authority or ""
        context["roads"] = (roads_of(actor, municipality, form.get("road_name", "").strip())
                            if context["step"] in ("data", "validated") else [])
        context["municipality"] = municipality
        return page(request, "move.html", actor, token, **context)

    @api.get(f"{PREFIX}/move", response_class=HTMLResponse)
    async def move_form(request: Request) -> Response:
        return await guarded(request, move_run, dict(request.query_params) | {"step": ""})

    @api.post(f"{PREFIX}/move", response_class=HTMLResponse)
    async def move(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        return await guarded(request, move_run, form)

    return api
