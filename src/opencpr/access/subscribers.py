"""Subscriber systems (abonnentsystemer): a certificate's CVR mapped to a system and its group.

A row may name the certificate's OCES UID, so one company can run several systems with different
service agreements; a row with an empty UID matches any certificate of the CVR.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from cryptography import x509
from sqlalchemy import Engine, func, select

from opencpr.access.actor import Actor
from opencpr.access.audit import AuditEntry, append_audit, write_transaction
from opencpr.access.certificates import CVR_PATTERN, CertificateError, oces_identity
from opencpr.access.groups import get_group
from opencpr.clock import Clock, SystemClock, stamp
from opencpr.domain import reference
from opencpr.domain.kvit import Kvit, KvitError
from opencpr.register.access_schema import subscriber_system
from opencpr.register.schema import event, subscription_system


class SubscriberError(ValueError):
    """A subscriber system cannot be made or changed as asked."""


class UnknownSystem(KvitError):
    """No active subscriber system for the certificate: no access (Kvit 5)."""

    default = Kvit.NO_ACCESS


@dataclass(frozen=True, slots=True)
class SubscriberSystem:
    id: int
    cvr: str
    uid: str  # "" = any certificate of the CVR
    name: str
    agreement_uuid: str  # serviceaftale
    group_name: str
    authority: str | None
    active: bool


def _system(row) -> SubscriberSystem:
    return SubscriberSystem(row.id, row.cvr, row.uid, row.name, row.agreement_uuid, row.group_name,
                            row.authority, bool(row.active))


def add_system(engine: Engine, cvr: str, name: str, *, agreement_uuid: str | None = None,
               group: str = "subscriber-system", uid: str = "", authority: str | None = None,
               clock: Clock | None = None, by: str = "opencpr") -> SubscriberSystem:
    """Register a subscriber system for a CVR (and optionally one certificate UID)."""
    if not isinstance(cvr, str) or not CVR_PATTERN.fullmatch(cvr):
        raise SubscriberError(f"a CVR number is 8 digits, not {cvr!r}")
    try:
        agreement = str(uuid.UUID(agreement_uuid)) if agreement_uuid else str(uuid.uuid4())
    except ValueError:
        raise SubscriberError(f"the service agreement must be a UUID, not {agreement_uuid!r}") from None
    if get_group(engine, group) is None:
        raise SubscriberError(f"no security group {group!r}")
    now = (clock or SystemClock()).now()
    if authority is not None:
        authority = authority.zfill(4)
        if reference.authority(authority, on=now.date()) is None:
            raise SubscriberError(f"authority {authority} is not in CPR's authority table")
    with write_transaction(engine) as conn:
        if conn.execute(select(subscriber_system.c.id).where(subscriber_system.c.cvr == cvr,
                                                             subscriber_system.c.uid == uid)).first():
            raise SubscriberError(f"a system for CVR {cvr}{f' UID {uid}' if uid else ''} already exists")
        new_id = conn.execute(subscriber_system.insert().values(
            cvr=cvr, uid=uid, name=name, agreement_uuid=agreement, group_name=group, authority=authority,
            active=True, created_at=stamp(now)).returning(subscriber_system.c.id)).scalar_one()
        append_audit(conn, [AuditEntry.admin(now, by, "SYSTEMS", "add",
                                             detail=f"CVR:{cvr} uid={uid or '*'} {name} agreement {agreement}")])
    return SubscriberSystem(new_id, cvr, uid, name, agreement, group, authority, True)


def set_system_active(engine: Engine, system_id: int, active: bool, *, clock: Clock | None = None,
                      by: str = "opencpr") -> None:
    now = (clock or SystemClock()).now()
    with write_transaction(engine) as conn:
        done = conn.execute(subscriber_system.update().where(subscriber_system.c.id == system_id)
                            .values(active=active))
        if done.rowcount == 0:
            raise SubscriberError(f"no subscriber system {system_id}")
        append_audit(conn, [AuditEntry.admin(now, by, "SYSTEMS", "enable" if active else "disable",
                                             detail=str(system_id))])


def list_systems(engine: Engine) -> list[SubscriberSystem]:
    with engine.connect() as conn:
        return [_system(r) for r in conn.execute(select(subscriber_system).order_by(subscriber_system.c.id))]


def system_for(engine: Engine, cvr: str, uid: str | None = None) -> SubscriberSystem | None:
    """The system for a CVR and certificate UID: the row naming the UID, else the CVR's catch-all row."""
    with engine.connect() as conn:
        rows = [_system(r) for r in conn.execute(select(subscriber_system).where(subscriber_system.c.cvr == cvr))]
    exact = [s for s in rows if uid and s.uid == uid]
    if exact:
        return exact[0]
    catch_all = [s for s in rows if s.uid == ""]
    return catch_all[0] if catch_all else None


def actor_for_certificate(engine: Engine, cert: bytes | str | x509.Certificate, *,
                          client: str | None = None) -> Actor:
    """The actor of the subscriber system a (verified) client certificate belongs to.

    Raise UnknownSystem (Kvit 5) if the certificate names no CVR, or no active system is registered.
    The TLS layer must have verified the certificate chain; this only reads the subject.
    """
    try:
        cvr, uid = oces_identity(cert)
    except CertificateError as exc:
        raise UnknownSystem(str(exc)) from None
    system = system_for(engine, cvr, uid)
    if system is None or not system.active:
        raise UnknownSystem(f"no active subscriber system for CVR {cvr}")
    group = get_group(engine, system.group_name)
    if group is None:
        raise UnknownSystem(f"the group {system.group_name!r} of CVR {cvr}'s system does not exist")
    return Actor("system", group, system.authority, cvr=cvr, system=system.name,
                 agreement_uuid=system.agreement_uuid, client=client)


# --- SF6002 setup: the UserSystemUUID and the SFTP key -----------------------------------------------

@dataclass(frozen=True, slots=True)
class SubscriptionSetup:
    """What a subscriber system needs besides its certificate: the UserSystemUUID its SF6002 calls
    carry (and its SFTP user name), and the SSH public key its SFTP client logs on with."""

    system_id: int
    user_system_uuid: str | None
    ssh_public_key: str | None


def _check_ssh_key(text: str) -> str:
    import asyncssh

    line = " ".join(text.strip().split())
    try:
        asyncssh.import_public_key(line)
    except (asyncssh.KeyImportError, ValueError) as exc:
        raise SubscriberError(f"not an SSH public key (OpenSSH one-line form expected): {exc}") from None
    return line


def set_subscription_setup(engine: Engine, system_id: int, *, user_system_uuid: str | None = None,
                           ssh_public_key: str | None = None, clock: Clock | None = None,
                           by: str = "opencpr") -> SubscriptionSetup:
    """Set a system's UserSystemUUID and/or SSH public key (what is not given stays)."""
    if user_system_uuid is not None:
        try:
            user_system_uuid = str(uuid.UUID(user_system_uuid))
        except ValueError:
            raise SubscriberError(f"the user system must be a UUID, not {user_system_uuid!r}") from None
    if ssh_public_key is not None:
        ssh_public_key = _check_ssh_key(ssh_public_key)
    now = (clock or SystemClock()).now()
    with write_transaction(engine) as conn:
        if conn.execute(select(subscriber_system.c.id).where(subscriber_system.c.id == system_id)).first() is None:
            raise SubscriberError(f"no subscriber system {system_id}")
        row = conn.execute(select(subscription_system).where(subscription_system.c.system_id == system_id)).first()
        values = {k: v for k, v in (("user_system_uuid", user_system_uuid), ("ssh_public_key", ssh_public_key))
                  if v is not None}
        if row is None:
            # changes are delivered from now on: what happened before is in the initial loads
            mark = conn.execute(select(func.coalesce(func.max(event.c.id), 0))).scalar_one()
            conn.execute(subscription_system.insert().values(system_id=system_id, delivered_through=mark, **values))
        elif values:
            conn.execute(subscription_system.update().where(subscription_system.c.system_id == system_id)
                         .values(**values))
        changed = ", ".join(f"{k}={v[:40]}" for k, v in values.items()) or "nothing"
        append_audit(conn, [AuditEntry.admin(now, by, "SYSTEMS", "setup", detail=f"{system_id}: {changed}")])
    return subscription_setup(engine, system_id)


def subscription_setup(engine: Engine, system_id: int) -> SubscriptionSetup:
    with engine.connect() as conn:
        row = conn.execute(select(subscription_system).where(subscription_system.c.system_id == system_id)).first()
    if row is None:
        return SubscriptionSetup(system_id, None, None)
    return SubscriptionSetup(system_id, row.user_system_uuid, row.ssh_public_key)


def system_for_user_system(engine: Engine, user_system_uuid: str) -> tuple[SubscriberSystem, SubscriptionSetup] | None:
    """The system whose UserSystemUUID is ``user_system_uuid`` (the SFTP user name), with its setup."""
    with engine.connect() as conn:
        row = conn.execute(select(subscription_system).where(
            subscription_system.c.user_system_uuid == user_system_uuid)).first()
        if row is None:
            return None
        system = conn.execute(select(subscriber_system).where(subscriber_system.c.id == row.system_id)).first()
    if system is None:
        return None
    return _system(system), SubscriptionSetup(row.system_id, row.user_system_uuid, row.ssh_public_key)


def actor_for_system(engine: Engine, system: SubscriberSystem) -> Actor:
    """The actor deliveries to ``system`` are made under: its own group, so what it receives is
    what its group may see (the nightly extraction, a trusted local job, acts on its behalf)."""
    group = get_group(engine, system.group_name)
    if group is None:
        raise UnknownSystem(f"the group {system.group_name!r} of system {system.id} does not exist")
    return Actor("system", group, system.authority, cvr=system.cvr, system=system.name,
                 agreement_uuid=system.agreement_uuid, client="delivery")


def get_system(engine: Engine, system_id: int) -> SubscriberSystem | None:
    with engine.connect() as conn:
        row = conn.execute(select(subscriber_system).where(subscriber_system.c.id == system_id)).first()
    return _system(row) if row is not None else None
