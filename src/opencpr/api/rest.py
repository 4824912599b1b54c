"""The REST/JSON adapter: the same catalogue, the same gate, the same errors, as JSON.

* ``POST /api/v1/signon`` ``{"user_code", "password"[, "new_password"]}`` → ``{"token", "expires_at"}``;
  the token is the GCTP session token, sent back as ``Authorization: Bearer <token>``.
* ``GET /api/v1/services`` — the published specifications (as ``/cpr-online-gctp/services``).
* ``GET /api/v1/deliveries/unfetched[?days=…]`` — SF6002 deliveries lying unfetched longer than
  the threshold (``{"deliveries": [{"system_id", "system", "file_name", "delivered_at",
  "age_days", …}], "days", "count"}``), for groups granted ``subscription: SF6002-MONITOR``.
* ``GET /api/v1/<service>?<param>=…`` — one route per catalogue service (``/api/v1/stam-plus?pnr=…``);
  keys are given by their parameter names (or CPR's key names). The answer is
  ``{"service", "records": [...], "info": {...}}`` with this project's field names, values as the
  register holds them and clear texts beside them.

Errors are JSON ``{"kvit": <code>, "text": <text>}`` with a 4xx status: 401 for sessions and
signon (901-906), 403 for no access (5), 404 for not found (172) and unknown services, 400 for
bad keys (16, 17, 18, 52), 503 when the audit trail cannot be written.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from opencpr.api.limits import AfterId, PendingId
from opencpr.domain.kvit import Kvit, KvitError
from opencpr.services import catalogue as cat
from opencpr.services import errors
from opencpr.services.catalogue import SearchService
from opencpr.services.gate import Gate

PREFIX = "/api/v1"
MAX_DATA_KEYS = 200  # fields in an event's data (the server's limits.max_fields also applies)

_STATUS = {
    Kvit.TOKEN_UNKNOWN.code: 401, Kvit.USER_UNKNOWN.code: 401, Kvit.USER_INACTIVE.code: 401,
    Kvit.USER_ID_INVALID.code: 401, Kvit.PASSWORD_WRONG.code: 401, Kvit.PASSWORD_EXPIRED.code: 401,
    Kvit.NEW_PASSWORDS_DIFFER.code: 400, Kvit.NEW_PASSWORD_INVALID.code: 400,
    Kvit.NO_ACCESS.code: 403, Kvit.AUTHORITY_UNKNOWN.code: 400,
    Kvit.PERSON_NOT_FOUND.code: 404, Kvit.UNKNOWN_SERVICE.code: 404,
    Kvit.UNKNOWN_FIELD.code: 400, Kvit.KEY_MISSING.code: 400, Kvit.KEY_INVALID.code: 400,
    Kvit.PNR_MALFORMED.code: 400, Kvit.AUTHORITY_NO_ACCESS.code: 403, Kvit.SESSION_UNKNOWN.code: 404,
    Kvit.PENDING_UNKNOWN.code: 404, Kvit.PENDING_DECIDED.code: 409, Kvit.NOT_VALIDATED.code: 409,
    Kvit.DATA_REFUSED.code: 422, Kvit.KEYS_CHANGED.code: 409, Kvit.CONFLICT.code: 409,
    Kvit.TOO_MANY_ATTEMPTS.code: 429, Kvit.TOO_LARGE.code: 413,
}


class SignonBody(BaseModel):
    user_code: str = Field(max_length=64, description="Personkode (user code)")
    password: str = Field(max_length=1024)
    new_password: str | None = Field(None, max_length=1024, description="Change the password at the same time")


class EventStep(BaseModel):
    """One step of an event's dialogue. ``session`` is the ``ts`` initiation answered (not for initiate)."""

    pnr: str | None = Field(None, max_length=20, description="The person's PNR (none for a birth or an entry "
                                                            "without PNR)")
    event_date: str = Field(max_length=10, description="The event date, yyyyMMdd or YYYY-MM-DD")
    authority: str | None = Field(None, max_length=4, description="The reporting authority (default: the user's)")
    session: str | None = Field(None, max_length=24)
    data: dict[Annotated[str, StringConstraints(max_length=40)], Annotated[str, StringConstraints(max_length=200)]] = (
        Field(default_factory=dict, max_length=MAX_DATA_KEYS,
              description=f"The event's data by CPR field name (at most {MAX_DATA_KEYS} fields)"))
    primary: str | None = Field(None, max_length=24, description="For a secondary event: the session of the "
                                                                 "saved primary event whose case it belongs to")
    waiting: bool = Field(False, description="save: put the event in the pending register (the waiting system), "
                                             "applied on its date")


class Rejection(BaseModel):
    reason: str = Field(min_length=1, max_length=500, description="Why the report is rejected (the reporter sees it)")


class SignonAnswer(BaseModel):
    kvit: int
    text: str
    token: str | None = None
    expires_at: str | None = None


def kvit_response(code: int, text: str, problems: list[dict[str, Any]] | None = None,
                  retry_after: int | None = None) -> JSONResponse:
    status = _STATUS.get(code, 503 if code == 999 else 400)
    body: dict[str, Any] = {"kvit": code, "text": text}
    if problems is not None:
        body["problems"] = problems
    headers = {"retry-after": str(retry_after)} if retry_after else None
    return JSONResponse(body, status_code=status, headers=headers)


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def error_response(gate: Gate, request: Request, door: str, exc: KvitError) -> JSONResponse:
    """The answer to a KvitError; one the gate did not record is counted as a refusal."""
    if not exc.recorded:
        gate.refused(_client(request), door, exc.code, exc.text)
    problems = [p.as_dict() for p in exc.problems] if isinstance(exc, errors.DataRefused) else None
    return kvit_response(exc.code, exc.text, problems, getattr(exc, "retry_after", None))


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.casefold() == "bearer" else ""


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _parameters(service: SearchService) -> list[dict[str, Any]]:
    params = []
    for key in service.keys:
        schema: dict[str, Any] = {"type": "string"}
        if key.choices:
            schema["enum"] = list(key.choices)
        if key.length:
            schema["maxLength"] = key.length
        params.append({"name": key.param, "in": "query", "required": key.required, "schema": schema,
                       "description": f"{key.name}: {key.description}".strip(": ")})
    return params


def router(gate: Gate, *, unfetched_days: float = 7.0) -> APIRouter:
    """The REST routes; ``unfetched_days`` is the default threshold of ``/deliveries/unfetched``."""
    api = APIRouter(prefix=PREFIX)

    @api.post("/signon", response_model=SignonAnswer, tags=["session"],
              responses={401: {"description": "Kvit 902-906"}})
    async def signon(body: SignonBody, request: Request) -> Any:
        # the password is hashed in the gate's signon threads, off the loop and the request threads
        result = await gate.signon_async(body.user_code, body.password, new_password=body.new_password,
                                         client=_client(request))
        if not result.ok:
            retry = gate.throttle.retry_after(_client(request)) if result.code == 913 else None
            return kvit_response(result.code, result.text, retry_after=retry)
        return SignonAnswer(kvit=result.code, text=result.text, token=result.token,
                            expires_at=result.expires_at.isoformat() if result.expires_at else None)

    @api.post("/signoff", tags=["session"])
    def signoff(request: Request) -> dict[str, bool]:
        return {"signed_off": gate.signoff(_bearer(request))}

    @api.get("/services", tags=["catalogue"])
    def services() -> dict[str, Any]:
        return cat.specifications()

    def call(service: SearchService, request: Request, raw: dict[str, str]) -> JSONResponse:
        client = _client(request)
        try:
            actor = gate.actor_for_token(_bearer(request), client=client)
            params: dict[str, str] = {}
            for name, value in raw.items():
                params[service.key_for_param(name).param] = value
            outcome = gate.call(actor, service.spec, **params)
        except KvitError as exc:
            return error_response(gate, request, service.name, exc)
        info = {k: v for k, v in outcome.info.items() if k != "row_keys"}
        return JSONResponse({"service": service.name, "records": _jsonable(outcome.records),
                             "info": _jsonable(info)})

    @api.get("/events", tags=["events"])
    def event_catalogue() -> dict[str, Any]:
        from opencpr.services.updates import event_catalogue

        return event_catalogue()

    def event_step(code: str, action: str, body: EventStep, request: Request) -> JSONResponse:
        from opencpr.services import updates

        client = _client(request)
        if len(body.data) > gate.limits.max_fields:
            return error_response(gate, request, code[:10], errors.InvalidKey(
                "data", f"{len(body.data)} felter", f"højst {gate.limits.max_fields} felter"))
        try:
            actor = gate.actor_for_token(_bearer(request), client=client)
            outcome = updates.step(gate, actor, code, action, pnr=body.pnr, event_date=body.event_date,
                                   authority=body.authority, ts=body.session, data=body.data,
                                   primary=body.primary, waiting=body.waiting)
        except KvitError as exc:
            return error_response(gate, request, code[:10], exc)
        info = dict(outcome.info)
        if action == "initiate":  # the current data the event concerns, protection applied by the gate
            info["current"] = outcome.parts
        return JSONResponse(_jsonable({"event": code.upper(), "action": action, "records": outcome.records,
                                       **info}))

    for action in ("initiate", "validate", "save", "cancel"):
        def make(action: str = action):
            async def endpoint(code: str, body: EventStep, request: Request) -> Any:
                return await run_in_threadpool(event_step, code, action, body, request)
            return endpoint

        api.add_api_route(f"/events/{{code}}/{action}", make(), methods=["POST"], tags=["events"],
                          summary=f"Event dialogue: {action}", name=f"event-{action}")

    # --- the pending register: the reporter's status and withdraw, the municipality's inbox and decisions

    def pending_call(request: Request, run) -> JSONResponse:
        client = request.client.host if request.client else None
        try:
            actor = gate.actor_for_token(_bearer(request), client=client)
            outcome = run(actor)
        except KvitError as exc:
            return error_response(gate, request, "pending", exc)
        info = {k: v for k, v in outcome.info.items()}
        return JSONResponse(_jsonable({"reports": outcome.parts.get("pending_report", []), **info}))

    @api.get("/pending/reports", tags=["pending"], summary="The caller's own reports and what became of them")
    def own_reports(request: Request, pnr: str | None = None) -> Any:
        from opencpr.services import pending

        return pending_call(request, lambda actor: gate.call(actor, pending.REPORT_STATUS, pnr=pnr))

    @api.get("/pending/reports/{pending_id}", tags=["pending"], summary="One report's status")
    def report_status(pending_id: PendingId, request: Request) -> Any:
        from opencpr.services import pending

        return pending_call(request, lambda actor: gate.call(actor, pending.REPORT_STATUS, pending_id=pending_id))

    @api.post("/pending/reports/{pending_id}/withdraw", tags=["pending"], summary="Withdraw a report still waiting")
    def withdraw(pending_id: PendingId, request: Request) -> Any:
        from opencpr.services import pending

        return pending_call(request, lambda actor: gate.call(actor, pending.WITHDRAW_PENDING, pending_id=pending_id))

    @api.get("/pending/inbox", tags=["pending"],
             summary="Reports awaiting the caller's municipality, with what would change")
    def inbox(request: Request, municipality: str | None = None, after: AfterId = None) -> Any:
        from opencpr.services import pending

        return pending_call(request, lambda actor: pending.inbox(gate, actor, municipality=municipality, after=after))

    @api.post("/pending/reports/{pending_id}/approve", tags=["pending"],
              summary="Approve a report: validated again and applied as of its event date")
    def approve(pending_id: PendingId, request: Request) -> Any:
        from opencpr.services import pending

        return pending_call(request, lambda actor: pending.approve(gate, actor, pending_id))

    @api.post("/pending/reports/{pending_id}/reject", tags=["pending"], summary="Reject a report with a reason")
    def reject(pending_id: PendingId, body: Rejection, request: Request) -> Any:
        from opencpr.services import pending

        return pending_call(request, lambda actor: pending.reject(gate, actor, pending_id, body.reason))

    # --- SF6002 deliveries: what lies unfetched, for the CPR office ------------------------------------

    def unfetched_run(request: Request, days: float | None) -> JSONResponse:
        from opencpr.services.subscriptions.monitoring import UNFETCHED

        client = request.client.host if request.client else None
        try:
            actor = gate.actor_for_token(_bearer(request), client=client)
            outcome = gate.call(actor, UNFETCHED, days=unfetched_days if days is None else days)
        except KvitError as exc:
            return kvit_response(exc.code, exc.text)
        return JSONResponse(_jsonable({"deliveries": outcome.records, **outcome.info}))

    @api.get("/deliveries/unfetched", tags=["subscriptions"],
             summary="SF6002 deliveries lying unfetched longer than a number of days (default: the "
                     "unfetched_alert_days setting)")
    async def deliveries_unfetched(request: Request, days: float | None = None) -> Any:
        return await run_in_threadpool(unfetched_run, request, days)

    def endpoint_for(service: SearchService):
        def endpoint(request: Request) -> Any:
            return call(service, request, dict(request.query_params))

        async def async_endpoint(request: Request) -> Any:
            return await run_in_threadpool(endpoint, request)

        return async_endpoint

    for service in cat.catalogue().values():
        api.add_api_route(f"/{service.slug}", endpoint_for(service), methods=["GET"], name=service.name,
                          summary=f"{service.name}: {service.title}", description=service.description,
                          tags=[service.category.value], openapi_extra={"parameters": _parameters(service)})
    return api


def install_errors(app: FastAPI, gate: Gate | None = None) -> None:
    """Malformed REST requests get a 4xx JSON answer in the same shape as Kvit errors (and are
    counted as refusals)."""
    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        if gate is not None:
            gate.refused(_client(request), request.url.path[:40], 422, f"{where}: {first.get('msg', 'invalid')}")
        return JSONResponse({"kvit": Kvit.KEY_INVALID.code, "text": f"{where}: {first.get('msg', 'invalid')}"},
                            status_code=422)
