"""Signon, password change and session tokens (GCTP ``Sik function="signon|newpass"``).

Signon answers with a :class:`SignonResult` carrying the Kvit code and its Danish text:

=====  ====================================================================================
 900   signed on; a session token is returned
 902   no such user code
 903   user code inactive (disabled by an administrator, or locked after 5 wrong passwords)
 904   malformed user code
 905   wrong password (5 in a row lock the user code)
 906   password expired (90 days after it was set) or a one-time password: change it
 907   the two new passwords differ (password change)
 908   the new password breaks the rules or repeats one of the last 5 (password change)
=====  ====================================================================================

A session token is 8 upper-case letters and digits from :mod:`secrets`, stored in the database
(every server process sees it) and valid for a **fixed** 2 hours from signon — the lifetime the
GCTP cookie's ``Expires`` announces; using it does not extend it. An unknown or expired token
is :class:`TokenUnknown` (Kvit 901): the client signs on again.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Connection, Engine, bindparam, delete, or_, select
from sqlalchemy.exc import IntegrityError

from opencpr.access.actor import Actor
from opencpr.access.audit import AuditEntry, append_audit, write_transaction
from opencpr.access.groups import SecurityGroup, parse_permissions
from opencpr.access.passwords import (
    HISTORY,
    MAX_FAILED_SIGNONS,
    Passwords,
    is_expired,
    password_problems,
)
from opencpr.access.users import InvalidUserCode, normalize_user_code
from opencpr.clock import Clock, SystemClock, stamp
from opencpr.domain.kvit import Kvit, KvitError
from opencpr.register.access_schema import (
    password_history,
    security_group,
    server_key,
    user_account,
    user_session,
)

TOKEN_ALPHABET = string.ascii_uppercase + string.digits
TOKEN_LENGTH = 8
SESSION_LIFETIME = dt.timedelta(hours=2)
MAX_INPUT = 1024  # longer "passwords" are wrong without being hashed


class TokenUnknown(KvitError):
    """The token is unknown or has expired (Kvit 901): sign on again."""

    default = Kvit.TOKEN_UNKNOWN


@dataclass(frozen=True, slots=True)
class SignonResult:
    """The answer to a signon or password change."""

    kvit: Kvit
    token: str | None = None
    expires_at: dt.datetime | None = None
    problems: tuple[str, ...] = ()  # why a new password was refused (908)

    @property
    def ok(self) -> bool:
        return self.kvit is Kvit.SIGNON_OK

    @property
    def code(self) -> int:
        return self.kvit.code

    @property
    def text(self) -> str:
        if self.problems:
            return f"{self.kvit.text}: {'; '.join(self.problems)}"
        return self.kvit.text


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def _sanitize(code: object) -> str:
    text = "".join(c for c in str(code) if c.isprintable())[:30]
    return text or "?"


def _entry(now: dt.datetime, code: str, row, client: str | None, action: str, kvit: Kvit,
           detail: str | None = None) -> AuditEntry:
    return AuditEntry(stamp(now), "user", code, row.authority if row is not None else None,
                      row.group_name if row is not None else None, client, "SIGNON", action, (), kvit.code,
                      kvit.text, detail)


def _record(engine: Engine, entry: AuditEntry) -> None:
    with write_transaction(engine) as conn:
        append_audit(conn, [entry])


def _load(engine: Engine, code: str):
    with engine.connect() as conn:
        return conn.execute(select(user_account).where(user_account.c.user_code == code)).first()


def _open_session(conn: Connection, code: str, now: dt.datetime, client: str | None) -> tuple[str, dt.datetime]:
    conn.execute(delete(user_session).where(user_session.c.expires_at <= stamp(now)))
    expires = now + SESSION_LIFETIME
    while True:
        token = new_token()
        if conn.execute(select(user_session.c.token).where(user_session.c.token == token)).first() is None:
            break
    conn.execute(user_session.insert().values(token=token, user_code=code, created_at=stamp(now),
                                              expires_at=stamp(expires), client=(client or "")[:64] or None))
    return token, expires


def _authenticate(engine: Engine, user_code: str, password: str, now: dt.datetime, client: str | None,
                  passwords: Passwords, action: str):
    """Steps shared by signon and password change: returns (code, row) or a refusal result."""
    try:
        code = normalize_user_code(user_code)
    except InvalidUserCode:
        _record(engine, _entry(now, _sanitize(user_code), None, client, action, Kvit.USER_ID_INVALID))
        return None, SignonResult(Kvit.USER_ID_INVALID)
    row = _load(engine, code)
    if row is None:
        _record(engine, _entry(now, code, None, client, action, Kvit.USER_UNKNOWN))
        return None, SignonResult(Kvit.USER_UNKNOWN)
    claimed = _claim_attempt(engine, code) if row.active and not row.locked else None
    if claimed is None:
        # disabled, locked, or its remaining attempts are being checked: the password is not looked at,
        # so the answer is the same whatever was sent
        _record(engine, _entry(now, code, row, client, action, Kvit.USER_INACTIVE,
                               "disabled" if not row.active else "locked"))
        return None, SignonResult(Kvit.USER_INACTIVE)
    attempt, stored_hash = claimed
    good = (isinstance(password, str) and len(password) <= MAX_INPUT
            and passwords.verify(stored_hash, password))
    with write_transaction(engine) as conn:
        if good:  # give the attempt back: a good signon ends the run of wrong ones (and a lock it overlapped)
            conn.execute(user_account.update().where(user_account.c.user_code == code)
                         .values(failed_signons=0, locked=False))
            return code, SimpleNamespace(**{**row._asdict(), "password_hash": stored_hash})
        locked = attempt >= MAX_FAILED_SIGNONS and conn.execute(
            user_account.update().where(user_account.c.user_code == code,
                                        user_account.c.failed_signons >= MAX_FAILED_SIGNONS)
            .values(locked=True)).rowcount > 0
        append_audit(conn, [_entry(now, code, row, client, action, Kvit.PASSWORD_WRONG,
                                   f"{attempt} wrong in a row" + ("; user code locked" if locked else ""))])
    return None, SignonResult(Kvit.PASSWORD_WRONG)


def _claim_attempt(engine: Engine, code: str) -> tuple[int, str] | None:
    """Claim one of the user code's password attempts before the password is checked.

    One statement counts the attempt as wrong, if the user is active, not locked and has attempts
    left; a right password gives it back. So however many signons arrive at once, at most
    ``MAX_FAILED_SIGNONS`` passwords are checked between good signons. Returns (the attempt's
    number, the stored hash), or None when no attempt is left.
    """
    with write_transaction(engine) as conn:
        claimed = conn.execute(
            user_account.update()
            .where(user_account.c.user_code == code, user_account.c.active.is_(True),
                   user_account.c.locked.is_(False), user_account.c.failed_signons < MAX_FAILED_SIGNONS)
            .values(failed_signons=user_account.c.failed_signons + 1)
            .returning(user_account.c.failed_signons, user_account.c.password_hash)).first()
    return (int(claimed[0]), claimed[1]) if claimed is not None else None


def signon(engine: Engine, user_code: str, password: str, *, client: str | None = None,
           clock: Clock | None = None, passwords: Passwords | None = None) -> SignonResult:
    """Sign on with a user code and password; on success (900) the result carries a new token."""
    now = (clock or SystemClock()).now()
    passwords = passwords or Passwords()
    code, row = _authenticate(engine, user_code, password, now, client, passwords, "signon")
    if code is None:
        return row
    rehashed = passwords.hash(password) if passwords.needs_rehash(row.password_hash) else None
    with write_transaction(engine) as conn:
        current = conn.execute(select(user_account).where(user_account.c.user_code == code)).first()
        if current is None or not current.active:  # disabled meanwhile
            append_audit(conn, [_entry(now, code, row, client, "signon", Kvit.USER_INACTIVE)])
            return SignonResult(Kvit.USER_INACTIVE)
        if current.password_hash != row.password_hash and not passwords.verify(current.password_hash, password):
            append_audit(conn, [_entry(now, code, row, client, "signon", Kvit.PASSWORD_WRONG,
                                       "password changed meanwhile")])
            return SignonResult(Kvit.PASSWORD_WRONG)
        if rehashed and current.password_hash == row.password_hash:
            conn.execute(user_account.update().where(user_account.c.user_code == code)
                         .values(password_hash=rehashed))
        if current.must_change or is_expired(dt.datetime.fromisoformat(current.password_set_at), now):
            append_audit(conn, [_entry(now, code, row, client, "signon", Kvit.PASSWORD_EXPIRED,
                                       "one-time password" if current.must_change else "90 days old")])
            return SignonResult(Kvit.PASSWORD_EXPIRED)
        token, expires = _open_session(conn, code, now, client)
        append_audit(conn, [_entry(now, code, row, client, "signon", Kvit.SIGNON_OK)])
    return SignonResult(Kvit.SIGNON_OK, token, expires)


def change_password(engine: Engine, user_code: str, password: str, new_password: str,
                    repeated: str | None = None, *, client: str | None = None, clock: Clock | None = None,
                    passwords: Passwords | None = None) -> SignonResult:
    """Change a password (GCTP ``newpass``) and sign on with the new one.

    ``repeated`` is the new password typed a second time (907 if it differs); GCTP sends only
    one new password, so it defaults to ``new_password``.
    """
    now = (clock or SystemClock()).now()
    passwords = passwords or Passwords()
    code, row = _authenticate(engine, user_code, password, now, client, passwords, "newpass")
    if code is None:
        return row
    if repeated is not None and repeated != new_password:
        _record(engine, _entry(now, code, row, client, "newpass", Kvit.NEW_PASSWORDS_DIFFER))
        return SignonResult(Kvit.NEW_PASSWORDS_DIFFER)
    problems = password_problems(new_password) if isinstance(new_password, str) else ["text"]
    if not problems:
        with engine.connect() as conn:
            recent = conn.execute(
                select(password_history.c.password_hash).where(password_history.c.user_code == code)
                .order_by(password_history.c.id.desc()).limit(HISTORY)).scalars().all()
        if any(passwords.verify(h, new_password) for h in recent):
            problems = [f"not one of the last {HISTORY} passwords"]
    if problems:
        _record(engine, _entry(now, code, row, client, "newpass", Kvit.NEW_PASSWORD_INVALID,
                               "must have " + "; ".join(problems)))
        return SignonResult(Kvit.NEW_PASSWORD_INVALID, problems=tuple(problems))
    hashed = passwords.hash(new_password)
    with write_transaction(engine) as conn:
        conn.execute(user_account.update().where(user_account.c.user_code == code).values(
            password_hash=hashed, password_set_at=stamp(now), must_change=False, failed_signons=0))
        conn.execute(password_history.insert().values(user_code=code, password_hash=hashed, set_at=stamp(now)))
        keep = conn.execute(select(password_history.c.id).where(password_history.c.user_code == code)
                            .order_by(password_history.c.id.desc()).limit(HISTORY)).scalars().all()
        conn.execute(delete(password_history).where(password_history.c.user_code == code,
                                                    password_history.c.id.not_in(keep)))
        token, expires = _open_session(conn, code, now, client)
        append_audit(conn, [_entry(now, code, row, client, "newpass", Kvit.SIGNON_OK, "password changed")])
    return SignonResult(Kvit.SIGNON_OK, token, expires)


_TOKEN_QUERY = (
    select(user_session.c.expires_at, user_session.c.client, user_account.c.user_code, user_account.c.authority,
           user_account.c.active, user_account.c.locked, security_group.c.name, security_group.c.title,
           security_group.c.permissions)
    .join(user_account, user_account.c.user_code == user_session.c.user_code)
    .join(security_group, security_group.c.name == user_account.c.group_name)
    .where(user_session.c.token == bindparam("token"))
)


def resolve_token(engine: Engine, token: str, *, client: str | None = None, clock: Clock | None = None) -> Actor:
    """The actor a session token belongs to; raise TokenUnknown if it is unknown or expired."""
    if not isinstance(token, str) or len(token.strip()) != TOKEN_LENGTH:
        raise TokenUnknown()
    token = token.strip()
    now = stamp((clock or SystemClock()).now())
    with engine.connect() as conn:
        row = conn.execute(_TOKEN_QUERY, {"token": token}).first()
        conn.commit()  # not a rollback: psycopg would drop its prepared statements
    if row is None or row.expires_at <= now or not row.active or row.locked:
        raise TokenUnknown()
    group = SecurityGroup(row.name, row.title, parse_permissions(row.permissions))
    return Actor("user", group, row.authority, user_code=row.user_code, client=client or row.client)


def signoff(engine: Engine, token: str) -> bool:
    """End a session; True if there was one."""
    with write_transaction(engine) as conn:
        return conn.execute(delete(user_session).where(user_session.c.token == token)).rowcount > 0


#: How stale the recorded last request of a console session may get before a request writes it
#: again: a session is idle-checked to within this much, and most requests write nothing.
CONSOLE_SEEN_EVERY = dt.timedelta(seconds=30)


def touch_console(engine: Engine, token: str, now: dt.datetime, idle: dt.timedelta, *,
                  every: dt.timedelta = CONSOLE_SEEN_EVERY) -> bool:
    """Record a console request on a session, in the session's row (every server process sees it).

    False if the session had gone unused longer than ``idle``: the caller ends it. An unknown token
    is not idle (True): resolving it (:func:`resolve_token`) refuses it.
    The row is written only when its last request is older than ``every``.
    """
    if not isinstance(token, str) or not token:
        return False
    seen_col = user_session.c.console_seen
    with engine.connect() as conn:
        seen = conn.execute(select(seen_col).where(user_session.c.token == token)).first()
        conn.commit()
    if seen is None:  # unknown or signed off: nothing to record; resolving the token refuses it
        return True
    if seen.console_seen is not None and seen.console_seen < stamp(now - idle):
        return False
    if seen.console_seen is None or seen.console_seen < stamp(now - every):
        with engine.begin() as conn:
            # not behind a request that has just found the session idle (it ends it)
            conn.execute(user_session.update().where(
                user_session.c.token == token,
                or_(seen_col.is_(None), seen_col >= stamp(now - idle))).values(console_seen=stamp(now)))
    return True


def shared_key(engine: Engine, name: str, *, clock: Clock | None = None) -> bytes:
    """A secret every server process shares: made by the first that asks (32 random bytes), then read."""
    with engine.connect() as conn:
        value = conn.execute(select(server_key.c.value).where(server_key.c.name == name)).scalar()
        conn.commit()
    if value is None:
        try:
            with engine.begin() as conn:
                conn.execute(server_key.insert().values(name=name, value=secrets.token_hex(32),
                                                        created_at=stamp((clock or SystemClock()).now())))
        except IntegrityError:  # another process made it first: use theirs
            pass
        with engine.connect() as conn:
            value = conn.execute(select(server_key.c.value).where(server_key.c.name == name)).scalar_one()
            conn.commit()
    return bytes.fromhex(value)
