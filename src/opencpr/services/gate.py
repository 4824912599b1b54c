"""The gate: the one place every service call passes through.

An adapter (GCTP, SOAP, REST, console, CLI, delivery) holds a :class:`Gate`, never a database
engine. It turns its credentials into an :class:`Actor` through the gate
(:meth:`Gate.signon`, :meth:`Gate.actor_for_token`, :meth:`Gate.actor_for_certificate`) and
calls services with :meth:`Gate.call`, which in one place

1. checks the actor's security group allows the service or event (else :class:`NoAccess`,
   Kvit 5) and, for a group limited to its own municipality, that the person lives in or moves
   to it;
2. runs the service with a :class:`ServiceContext` (the connection, the actor, the day, the
   protection primitives) — services are written against the context and cannot be run without
   a gate;
3. applies name and address protection to what goes out (blanks addresses; refuses to let a
   protected person out of an address search);
4. writes the audit record — every PNR returned or changed, the result, refusals and errors
   too — and counts billable calls for usage.

Services are declared as data (:class:`~opencpr.services.contract.ServiceSpec`, with what the
gate and the services share in :mod:`opencpr.services.contract`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import functools
import re
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import Any

from cryptography import x509
from sqlalchemy import ColumnElement, Engine

from opencpr.access import sessions, subscribers
from opencpr.access.actor import Actor
from opencpr.access.anchor import Anchoring, AnchorTarget
from opencpr.access.audit import AuditEntry, AuditWriter, append_audit_in, begin_write, write_audit
from opencpr.access.groups import Scope
from opencpr.access.guard import RefusalLog, Throttle
from opencpr.access.passwords import Passwords
from opencpr.access.protection import blank_address, blank_part, visible_condition
from opencpr.clock import Clock, SystemClock
from opencpr.config import Limits
from opencpr.domain.kvit import Kvit, KvitError
from opencpr.domain.pnr import is_valid
from opencpr.register.batch import Batch
from opencpr.register.db import writer_turn
from opencpr.services.contract import GATE_ONLY, Memo, Outcome, ServiceContext, ServiceSpec
from opencpr.services.errors import NoAccess, ProtectionLeak, TooManyAttempts

__all__ = ["AuditMode", "Gate"]

#: Signon answers that count as a failed guess for the client (wrong, unknown, malformed, inactive).
_GUESS_FAILURES = frozenset({902, 903, 904, 905})

_PNR_KEY = re.compile(r"(\d{6})-?(\d{4})")


class AuditMode(StrEnum):
    """How the audit record of a call that changes nothing is written (always before it is answered)."""

    SYNC = "sync"  # in the call's own transaction
    DEFERRED = "deferred"  # by the AuditWriter, in a group with other calls' records (group commit)


#: Tickets of audit records an event loop will wait for before it sends its answer (see
#: :meth:`Gate.answers_after_audit`); None: the calling thread waits in :meth:`Gate.call` itself.
_AWAITED: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("opencpr_audit_tickets", default=None)


def _stamp(now: dt.datetime) -> str:
    return (now if now.tzinfo is None else now.replace(tzinfo=None)).isoformat(timespec="seconds")


def _key_pnr(spec: ServiceSpec, keys: dict[str, Any]) -> tuple[str, ...]:
    """The person a call names by its PNR key (nothing if the key is absent or not a valid PNR)."""
    value = keys.get(spec.pnr_key) if spec.pnr_key else None
    m = _PNR_KEY.fullmatch(value.strip()) if isinstance(value, str) else None
    if m is None:
        return ()
    digits = m.group(1) + m.group(2)
    return (digits,) if is_valid(digits) else ()


class Gate:
    """The single gate: permission, protection, audit and usage for every service call."""

    def __init__(self, engine: Engine, clock: Clock | None = None, *, audit_mode: AuditMode | str = AuditMode.SYNC,
                 writer: AuditWriter | None = None, passwords: Passwords | None = None,
                 token_cache_seconds: float = 0.0, limits: Limits | None = None,
                 anchor: AnchorTarget | None = None) -> None:
        self.engine = engine
        # calls that change nothing read in autocommit on PostgreSQL: one round trip a statement, not
        # BEGIN, the statement and COMMIT (under READ COMMITTED each statement has its own snapshot
        # either way); SQLite reads in a transaction, for one snapshot across the call's statements
        self.reads = engine if engine.dialect.name == "sqlite" else engine.execution_options(
            isolation_level="AUTOCOMMIT")
        self.anchoring = Anchoring(engine, anchor) if anchor is not None else None
        self.limits = limits or Limits()
        self.throttle = Throttle(self.limits.guess_failures, self.limits.guess_window)
        self.refusals = RefusalLog(self.limits.refusal_window, self.limits.refusal_keys)
        self._hash_pool: ThreadPoolExecutor | None = None
        # resolved session tokens, kept for a few seconds (0: every call reads the session table)
        self.token_cache_seconds = token_cache_seconds
        self._tokens: dict[str, tuple[Actor, dt.datetime]] = {}
        self._certificates: dict[str, tuple[Actor, dt.datetime]] = {}
        self.clock = clock or SystemClock()
        self.audit_mode = AuditMode(audit_mode)
        self.passwords = passwords or Passwords()
        self.writer = writer
        self.memo = Memo(2_000)  # what services keep between the calls of a dialogue (see Memo)
        if self.writer is None and self.audit_mode is AuditMode.DEFERRED:
            self.writer = AuditWriter(engine)

    # --- the one way in -------------------------------------------------------------------------

    def call(self, actor: Actor, spec: ServiceSpec, /, **keys: Any) -> Outcome:
        """Run ``spec`` for ``actor`` with ``keys``: check, run, protect, audit, count.

        Raises the service's :class:`~opencpr.domain.kvit.KvitError` (NoAccess, PersonNotFound,
        MalformedPNR …) after recording it; other exceptions are recorded as Kvit 999.
        """
        now = self.clock.now()
        permission = keys.get(spec.grant_key) if spec.grant_key else spec.name
        service = spec.name if spec.grant_key is None else str(permission)
        grant = (actor.group.permissions.grant_for(spec.kind, permission)
                 if isinstance(permission, str) else None)
        if grant is None and spec.via is not None and isinstance(permission, str):
            with self.engine.connect() as conn:
                instead = spec.via(conn, actor, keys)
                conn.commit()
            if instead:
                grant = actor.group.permissions.grant_for(spec.kind, instead)
        sync = spec.writes or self.audit_mode is AuditMode.SYNC
        if sync:
            return self._call(actor, spec, keys, now, service, grant, sync)
        # group commit: while the call runs the writer may wait for it to join the group; the call
        # then waits (here, or on the caller's event loop) until its record is committed
        outer = _AWAITED.get()
        tickets: list[int] = []
        token = _AWAITED.set(tickets)
        try:
            with self.writer.running():
                return self._call(actor, spec, keys, now, service, grant, sync)
        finally:
            _AWAITED.reset(token)
            if outer is not None:
                outer.extend(tickets)
            elif tickets:
                self.writer.wait(max(tickets))  # raises AuditUnavailable: then nothing is answered

    def _call(self, actor: Actor, spec: ServiceSpec, keys: dict[str, Any], now: dt.datetime, service: str,
              grant, sync: bool) -> Outcome:
        if grant is None:
            refusal = NoAccess(f"Ingen adgang: sikkerhedsgruppen {actor.group.name} må ikke bruge {service}")
            self._record_alone(self._entry(actor, spec, service, now, _key_pnr(spec, keys), refusal), sync)
            refusal.recorded = True
            raise refusal
        with writer_turn(self.engine) if sync else contextlib.nullcontext(), \
                (self.engine if sync else self.reads).connect() as conn:
            if sync:  # this transaction will write the audit record: begin it as a writer, on
                begin_write(conn, late=True)  # PostgreSQL with its first write (reads go first)
            ctx = ServiceContext(GATE_ONLY, conn, actor, grant, now, self.memo)
            try:
                if grant.scope is not Scope.ALL:
                    self._check_scope(ctx, spec, keys)
                outcome = spec.run(ctx, **keys)
                self._protect(ctx, spec, outcome)
                persons = outcome.persons()
                if ctx._touched:
                    persons = tuple(dict.fromkeys(persons + tuple(ctx._touched)))
                entry = AuditEntry(_stamp(now), actor.kind, actor.ident, actor.authority, actor.group.name,
                                   actor.client, service, spec.action, persons, 0, "", outcome.detail,
                                   spec.billable)
                # what the call deferred, its audit record (sync) and the commit: one round trip on
                # PostgreSQL. Commit even a read-only call: psycopg drops its prepared statements on
                # ROLLBACK, which makes the next lookups on PostgreSQL parse and plan their queries again
                batch = Batch(conn)
                for statement, params in ctx._deferred:
                    batch.add(statement, params)
                if sync:
                    append_audit_in(batch, [entry])
                batch.commit()
            except Exception as exc:
                conn.rollback()
                persons = tuple(dict.fromkeys(_key_pnr(spec, keys) + tuple(ctx._touched)))
                self._record_alone(self._entry(actor, spec, service, now, persons, exc), sync)
                if isinstance(exc, KvitError):
                    exc.recorded = True
                raise
        if not sync:
            self._durable(self.writer.submit(entry))
        return outcome

    # --- credentials -> actors ---------------------------------------------------------------------

    def signon(self, user_code: str, password: str, *, client: str | None = None) -> sessions.SignonResult:
        """GCTP signon (Kvit 900 with a token, or 902-906; 913 for a client that failed too often)."""
        return self._guarded(client, lambda: sessions.signon(
            self.engine, user_code, password, client=client, clock=self.clock, passwords=self.passwords))

    def change_password(self, user_code: str, password: str, new_password: str, repeated: str | None = None, *,
                        client: str | None = None) -> sessions.SignonResult:
        """GCTP newpass (Kvit 900 with a token, or 902-908; 913 for a client that failed too often)."""
        return self._guarded(client, lambda: sessions.change_password(
            self.engine, user_code, password, new_password, repeated, client=client, clock=self.clock,
            passwords=self.passwords))

    async def signon_async(self, user_code: str, password: str, *, new_password: str | None = None,
                           repeated: str | None = None, client: str | None = None) -> sessions.SignonResult:
        """:meth:`signon` (or :meth:`change_password` with ``new_password``) for an event loop.

        Hashing a password takes a tenth of a second of CPU: it runs in the gate's small pool of
        ``limits.hash_threads`` threads, never on the loop that answers the lookups, and no more
        than that many at once (each hash takes 64 MiB), however many clients sign on.
        """
        if new_password is not None:
            call = functools.partial(self.change_password, user_code, password, new_password, repeated,
                                     client=client)
        else:
            call = functools.partial(self.signon, user_code, password, client=client)
        if self._hash_pool is None:
            self._hash_pool = ThreadPoolExecutor(self.limits.hash_threads, thread_name_prefix="opencpr-signon")
        return await asyncio.get_running_loop().run_in_executor(self._hash_pool, call)

    def _guarded(self, client: str | None, attempt) -> sessions.SignonResult:
        if self.throttle.blocked(client):
            self.refused(client, "SIGNON", Kvit.TOO_MANY_ATTEMPTS.code, Kvit.TOO_MANY_ATTEMPTS.text)
            return sessions.SignonResult(Kvit.TOO_MANY_ATTEMPTS)
        result = attempt()
        if result.code in _GUESS_FAILURES:
            self.throttle.fail(client)
        return result

    def actor_for_token(self, token: str, *, client: str | None = None) -> Actor:
        """The actor of a session token; raise TokenUnknown (Kvit 901), or TooManyAttempts (913) for
        a client that has failed too many tokens and signons lately.

        With ``token_cache_seconds`` a resolved token is kept that long: a session that ends, or a
        user or group changed meanwhile, is seen by this process at most that much later. Unknown
        tokens are counted for the client (:class:`~opencpr.access.guard.Throttle`) and recorded
        as refusals (:meth:`refused`).
        """
        if self.throttle.blocked(client):
            error = TooManyAttempts(self.throttle.retry_after(client))
            self.refused(client, "TOKEN", error.code, error.text)
            error.recorded = True
            raise error
        try:
            return self._actor_for_token(token, client)
        except sessions.TokenUnknown as exc:
            self.throttle.fail(client)
            self.refused(client, "TOKEN", exc.code, exc.text)
            exc.recorded = True
            raise

    def _actor_for_token(self, token: str, client: str | None) -> Actor:
        if self.token_cache_seconds <= 0:
            return sessions.resolve_token(self.engine, token, client=client, clock=self.clock)
        now = self.clock.now()
        cached = self._tokens.get(token)
        if cached is not None and cached[1] > now:
            return cached[0].at(client) if client else cached[0]
        actor = sessions.resolve_token(self.engine, token, client=client, clock=self.clock)
        if len(self._tokens) > 10_000:
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > now}
        self._tokens[token] = (actor, now + dt.timedelta(seconds=self.token_cache_seconds))
        return actor

    def refused(self, client: str | None, door: str, code: int, text: str) -> None:
        """Count a call refused before it reached a service (bad token, unknown service or field,
        unreadable, oversized or malformed request, throttled): recorded per client, door and code
        in the next refusal record (:class:`~opencpr.access.guard.RefusalLog`)."""
        self.refusals.note(client, door, code, text, _stamp(self.clock.now()))

    def flush_refusals(self) -> int:
        """Write the refusals counted so far to the audit trail; return how many records."""
        entries = self.refusals.drain()
        if entries:
            write_audit(self.engine, entries)
        return len(entries)

    def housekeeping(self) -> None:
        """The gate's periodic work (the server runs it every few seconds): refusal records, and
        the audit chain's anchor when one is due (:mod:`opencpr.access.anchor`)."""
        if self.refusals.due():
            self.flush_refusals()
        if self.anchoring is not None:
            self.anchoring.tick()

    def signoff(self, token: str) -> bool:
        self._tokens.pop(token, None)
        return sessions.signoff(self.engine, token)

    def touch_console(self, token: str, idle: dt.timedelta) -> bool:
        """Record a console request on a session; False if it had been idle longer than ``idle``
        (kept in the session's row: every server process sees it)."""
        return sessions.touch_console(self.engine, token, self.clock.now(), idle)

    def shared_key(self, name: str) -> bytes:
        """A secret made once and shared by every server process on this database (e.g. a CSRF key)."""
        return sessions.shared_key(self.engine, name, clock=self.clock)

    def actor_for_certificate(self, cert: bytes | str | x509.Certificate, *, client: str | None = None) -> Actor:
        """The actor of a verified client certificate's subscriber system; raise UnknownSystem (Kvit 5).

        With ``token_cache_seconds`` the actor of a certificate (given as PEM text or bytes) is kept
        that long, as a session token's is: a system disabled, or its group changed, is seen by this
        process at most that much later. An unknown certificate is never kept."""
        if self.token_cache_seconds <= 0 or not isinstance(cert, (str, bytes)):
            return subscribers.actor_for_certificate(self.engine, cert, client=client)
        key = cert if isinstance(cert, str) else cert.decode("latin-1")
        now = self.clock.now()
        cached = self._certificates.get(key)
        if cached is not None and cached[1] > now:
            return cached[0].at(client)
        actor = subscribers.actor_for_certificate(self.engine, cert, client=client)
        if len(self._certificates) > 1_000:
            self._certificates = {c: v for c, v in self._certificates.items() if v[1] > now}
        self._certificates[key] = (actor, now + dt.timedelta(seconds=self.token_cache_seconds))
        return actor

    # --- protection primitives for services ----------------------------------------------------

    @staticmethod
    def visible(pnr_column: ColumnElement[str], day: str, sees_protected: bool) -> ColumnElement[bool]:
        """SQL for address searches: see :func:`opencpr.access.protection.visible_condition`."""
        return visible_condition(pnr_column, day, sees_protected)

    # --- audit -------------------------------------------------------------------------------------

    def flush(self) -> None:
        """Write queued audit records now (deferred mode)."""
        if self.writer is not None:
            self.writer.flush()

    def close(self) -> None:
        """Write the refusals and queued audit records, stop the writer and the signon threads."""
        with contextlib.suppress(Exception):  # the database may be gone; the writer logs what it loses
            self.flush_refusals()
        if self.writer is not None:
            self.writer.close()
        if self.anchoring is not None:
            with contextlib.suppress(Exception):
                self.anchoring.tick(force=True)
        if self._hash_pool is not None:
            self._hash_pool.shutdown(wait=False)

    def __enter__(self) -> Gate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- internals ----------------------------------------------------------------------------------

    def _entry(self, actor: Actor, spec: ServiceSpec, service: str, now: dt.datetime, persons: tuple[str, ...],
               exc: BaseException) -> AuditEntry:
        if isinstance(exc, KvitError):
            code, text, detail = exc.code, exc.text, None
        else:
            code, text = Kvit.INTERNAL_ERROR.code, Kvit.INTERNAL_ERROR.text
            detail = f"{type(exc).__name__}: {exc}"[:500]
        return AuditEntry(_stamp(now), actor.kind, actor.ident, actor.authority, actor.group.name, actor.client,
                          service, spec.action, persons, code, text[:200], detail, spec.billable)

    def _record_alone(self, entry: AuditEntry, sync: bool) -> None:
        if sync or self.writer is None:
            write_audit(self.engine, [entry])
        else:
            self._durable(self.writer.submit(entry))

    def _durable(self, ticket: int) -> None:
        """The call is answered only once its audit record is committed: wait here, or let the event
        loop that collects tickets wait (:meth:`answers_after_audit`)."""
        awaited = _AWAITED.get()
        if awaited is None:
            self.writer.wait(ticket)
        else:
            awaited.append(ticket)

    @contextlib.contextmanager
    def answers_after_audit(self):
        """For an adapter that answers on an event loop: calls made inside the block do not wait for
        their audit records; the adapter must ``await gate.audit_durable(tickets)`` before it sends
        the answer. The loop serves other requests meanwhile, and their records join the same group."""
        tickets: list[int] = []
        token = _AWAITED.set(tickets)
        try:
            yield tickets
        finally:
            _AWAITED.reset(token)

    async def audit_durable(self, tickets: list[int]) -> None:
        """Wait until the audit records of ``tickets`` are committed; raise AuditUnavailable if they cannot be."""
        if tickets and self.writer is not None:
            await self.writer.wait_async(max(tickets))

    def _check_scope(self, ctx: ServiceContext, spec: ServiceSpec, keys: dict[str, Any]) -> None:
        own = ctx.actor.authority or ""
        target = keys.get(spec.municipality_key) if spec.municipality_key else None
        if target is not None and str(target).strip().zfill(4) == own:
            return
        pnr = _key_pnr(spec, keys)
        if not pnr:
            if target is not None and str(target).strip():
                # a destination outside the own municipality, and no person whose home could be checked
                raise NoAccess(f"Myndighed {own} kan ikke registrere personer i kommune {str(target).strip()}")
            # no person named (the service limits what it finds with ctx.in_scope()), or a
            # malformed PNR (the service answers Kvit 52)
            return
        if ctx.municipality_of(pnr[0]) == own:
            return
        raise NoAccess(f"Personen hører ikke under myndighed {own}")

    def _protect(self, ctx: ServiceContext, spec: ServiceSpec, outcome: Outcome) -> None:
        """Blank protected persons' addresses in every part of the outcome that carries person data:
        the records and each declared part (``Outcome.parts``), by the rule for the part's kind."""
        if ctx.sees_protected_addresses or not (outcome.records or outcome.parts):
            return
        rows = outcome.rows()
        pnrs = [r["pnr"] for _, r in rows if r.get("pnr")]
        if not pnrs:
            return
        hidden = ctx.hidden(pnrs)
        for kind, row in rows:
            if row.get("pnr") in hidden:
                if spec.address_search and kind is None:
                    raise ProtectionLeak(f"{spec.name} returned a person whose address is protected "
                                         f"to group {ctx.actor.group.name}")
                if kind is None:
                    blank_address(row)
                else:
                    blank_part(kind, row)
