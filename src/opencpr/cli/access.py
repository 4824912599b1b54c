"""Command line for access control: ``opencpr users|groups|systems|audit|usage|certs``.

The sub-apps are registered by the main CLI (:mod:`opencpr.cli`) under those names.

Every command that touches the register takes ``--database-url`` (``OPENCPR_DATABASE_URL``),
brings the schema up to date and makes sure the default security groups exist. Administrative
changes are written to the audit trail as made by ``cli:<login name>``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

err = Console(stderr=True)


class _Out:
    """Standard output: tables keep their width when piped (a terminal's width when not)."""

    def print(self, *objects, **kwargs) -> None:
        console = Console(highlight=False, soft_wrap=True)
        if not console.is_terminal:
            console = Console(highlight=False, soft_wrap=True, width=200)
        console.print(*objects, **kwargs)


out = _Out()

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", envvar="OPENCPR_DATABASE_URL",
                 help="SQLAlchemy URL of the register (default: SQLite in the data directory)."),
]

users_app = typer.Typer(help="User codes (personkoder): add, disable, enable, reset passwords, list.",
                        no_args_is_help=True)
groups_app = typer.Typer(help="Security groups (sikkerhedsgrupper): list, show and set permissions.",
                         no_args_is_help=True)
systems_app = typer.Typer(help="Subscriber systems (abonnentsystemer): certificate CVR -> system and group.",
                          no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: verify the chain; who looked up or changed a person; "
                             "what a user did.", no_args_is_help=True)
certs_app = typer.Typer(help="Development certificates: a CA, a server certificate, OCES-style client "
                             "certificates.", no_args_is_help=True)


def _engine(database_url: str | None):
    from opencpr.bootstrap import ensure_defaults, open_engine

    engine = open_engine(database_url)
    ensure_defaults(engine)
    return engine


def _by() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]{message}[/]")
    return typer.Exit(code)


def _split(values: list[str] | None) -> list[str] | None:
    if values is None:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


# --- users ---------------------------------------------------------------------------------------

@users_app.command("add")
def users_add(
    user_code: Annotated[str, typer.Argument(help="The user code (personkode): 4-8 letters and digits.")],
    authority: Annotated[str, typer.Option("--authority", "-a", help="Authority code (myndighedskode).")],
    group: Annotated[str, typer.Option("--group", "-g", help="Security group (see `groups list`).")],
    name: Annotated[str | None, typer.Option("--name", help="The user's name.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a user and print a one-time password (to be changed at the first signon)."""
    from opencpr.access.users import UserError, add_user

    engine = _engine(database_url)
    try:
        password = add_user(engine, user_code, authority, group, full_name=name, by=_by())
    except UserError as exc:
        raise _fail(str(exc)) from None
    err.print(f"User {user_code.upper()} created. One-time password (shown once; signon answers 906 "
              "until it is changed):")
    out.print(password, markup=False)


def _simple_user_change(action: str, user_code: str, database_url: str | None) -> None:
    from opencpr.access import users

    engine = _engine(database_url)
    try:
        getattr(users, f"{action}_user")(engine, user_code, by=_by())
    except users.UserError as exc:
        raise _fail(str(exc)) from None
    err.print(f"User {user_code.upper()} {action}d")


@users_app.command("disable")
def users_disable(user_code: str, database_url: DatabaseOption = None) -> None:
    """Make a user inactive (signon answers 903; open sessions stop working)."""
    _simple_user_change("disable", user_code, database_url)


@users_app.command("enable")
def users_enable(user_code: str, database_url: DatabaseOption = None) -> None:
    """Make a user active again (also lifts a lock after wrong passwords)."""
    _simple_user_change("enable", user_code, database_url)


@users_app.command("reset-password")
def users_reset_password(user_code: str, database_url: DatabaseOption = None) -> None:
    """Give a user a new one-time password (printed) and lift a lock."""
    from opencpr.access.users import UserError, reset_password

    engine = _engine(database_url)
    try:
        password = reset_password(engine, user_code, by=_by())
    except UserError as exc:
        raise _fail(str(exc)) from None
    err.print(f"New one-time password for {user_code.upper()} (shown once):")
    out.print(password, markup=False)


@users_app.command("list")
def users_list(
    authority: Annotated[str | None, typer.Option("--authority", "-a")] = None,
    group: Annotated[str | None, typer.Option("--group", "-g")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """List users with their authority, group and state."""
    from opencpr.access.passwords import expires_at
    from opencpr.access.users import list_users

    table = Table("user code", "authority", "group", "name", "state", "password expires", "failed")
    for u in list_users(_engine(database_url), authority=authority, group=group):
        state = "disabled" if not u.active else "locked" if u.locked else "must change" if u.must_change else "active"
        table.add_row(u.user_code, u.authority, u.group_name, u.full_name or "", state,
                      f"{expires_at(u.password_set_at):%Y-%m-%d %H:%M}", str(u.failed_signons))
    out.print(table)


# --- groups --------------------------------------------------------------------------------------

@groups_app.command("list")
def groups_list(database_url: DatabaseOption = None) -> None:
    """List the security groups and what they grant."""
    from opencpr.access.groups import Kind, list_groups

    table = Table("group", "title", "grants", "protected addresses", "pending only")
    table.columns[0].no_wrap = True
    for g in list_groups(_engine(database_url)):
        lines = []
        for kind in Kind:
            grant = g.permissions.grants.get(kind)
            if grant is not None:
                lines.append(f"{kind.value}: {', '.join(grant.services) or '-'} ({grant.scope.value})")
        table.add_row(g.name, g.title, "\n".join(lines), "yes" if g.permissions.protected_addresses else "no",
                      "yes" if g.permissions.pending_only else "no")
    out.print(table)


@groups_app.command("show")
def groups_show(name: str, database_url: DatabaseOption = None) -> None:
    """Print a group's permissions as JSON (the form `groups set --from-json` reads)."""
    _show_group(_engine(database_url), name)


def _show_group(engine, name: str) -> None:
    from opencpr.access.groups import get_group

    group = get_group(engine, name)
    if group is None:
        raise _fail(f"no security group {name!r}")
    out.print(json.dumps({"name": group.name, "title": group.title, "permissions": group.permissions.to_dict()},
                         ensure_ascii=False, indent=2), markup=False)


@groups_app.command("set")
def groups_set(
    name: str,
    title: Annotated[str | None, typer.Option(help="Title (required for a new group).")] = None,
    search: Annotated[list[str] | None, typer.Option(help="Search services, e.g. 'STAMP,Stam+' or '*'.")] = None,
    search_scope: Annotated[str | None, typer.Option(help="all | own_municipality")] = None,
    events: Annotated[list[str] | None, typer.Option(help="Event codes, e.g. 'A01,A21' or '*'.")] = None,
    event_scope: Annotated[str | None, typer.Option(help="all | own_municipality")] = None,
    maintenance: Annotated[list[str] | None, typer.Option(help="e.g. 'address:*,name:correct'.")] = None,
    maintenance_scope: Annotated[str | None, typer.Option(help="all | own_municipality")] = None,
    subscriptions: Annotated[list[str] | None, typer.Option(help="e.g. 'SF6002'.")] = None,
    protected_addresses: Annotated[bool | None, typer.Option(
        "--protected-addresses/--no-protected-addresses", help="Sees protected addresses.")] = None,
    pending_only: Annotated[bool | None, typer.Option(
        "--pending-only/--no-pending-only", help="Events always go to the pending register.")] = None,
    from_json: Annotated[Path | None, typer.Option(help="Permissions from a JSON file (as `groups show`).")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a group or change its permissions; options not given keep their value.

    An empty list (``--events ''``) takes a category away.
    """
    from opencpr.access.groups import GroupError, Kind, SecurityGroup, get_group
    from opencpr.services import permissions

    engine = _engine(database_url)
    current = get_group(engine, name)
    data = current.permissions.to_dict() if current else {}
    if from_json is not None:
        try:
            loaded = json.loads(from_json.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise _fail(f"{from_json}: {exc}") from None
        data = loaded.get("permissions", loaded) if isinstance(loaded, dict) else loaded
        title = title or (loaded.get("title") if isinstance(loaded, dict) else None)
    if current is None and not title:
        raise _fail(f"no security group {name!r}: give --title to create it")
    for kind, names, scope in ((Kind.SEARCH, search, search_scope), (Kind.EVENT, events, event_scope),
                               (Kind.MAINTENANCE, maintenance, maintenance_scope),
                               (Kind.SUBSCRIPTION, subscriptions, None)):
        names = _split(names)
        if names is not None and not names:
            data.pop(kind.value, None)
            continue
        if names is None and scope is None:
            continue
        entry = dict(data.get(kind.value, {"services": [], "scope": "all"}))
        if names is not None:
            entry["services"] = names
        if scope is not None:
            entry["scope"] = scope
        data[kind.value] = entry
    if protected_addresses is not None:
        data["protected_addresses"] = protected_addresses
    if pending_only is not None:
        data["pending_only"] = pending_only
    try:
        granted = permissions.parse(data)
        permissions.save_group(engine, SecurityGroup(name, title or current.title, granted), by=_by())
    except GroupError as exc:
        raise _fail(str(exc)) from None
    err.print(f"Group {name} saved")
    _show_group(engine, name)


# --- subscriber systems --------------------------------------------------------------------------

@systems_app.command("add")
def systems_add(
    cvr: Annotated[str, typer.Argument(help="The company's CVR number (8 digits).")],
    name: Annotated[str, typer.Option("--name", help="The system's name.")],
    uid: Annotated[str, typer.Option(help="Only the certificate with this OCES UID (default: any).")] = "",
    agreement: Annotated[str | None, typer.Option(help="Service agreement UUID (default: a new one).")] = None,
    group: Annotated[str, typer.Option("--group", "-g")] = "subscriber-system",
    authority: Annotated[str | None, typer.Option("--authority", "-a", help="Authority billed, if any.")] = None,
    user_system: Annotated[str | None, typer.Option(
        "--user-system", help="The UserSystemUUID its SF6002 calls carry, also its SFTP user name "
                              "(default: a new one).")] = None,
    ssh_key: Annotated[Path | None, typer.Option(
        "--ssh-key", help="The SSH public key file its SFTP client logs on with (OpenSSH .pub).")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Register a subscriber system for a CVR number (and optionally one certificate)."""
    import uuid

    from opencpr.access.subscribers import SubscriberError, add_system, set_subscription_setup

    engine = _engine(database_url)
    try:
        key = ssh_key.read_text(encoding="utf-8") if ssh_key else None
        system = add_system(engine, cvr, name, agreement_uuid=agreement, group=group, uid=uid,
                            authority=authority, by=_by())
        setup = set_subscription_setup(engine, system.id, user_system_uuid=user_system or str(uuid.uuid4()),
                                       ssh_public_key=key, by=_by())
    except (SubscriberError, OSError) as exc:
        raise _fail(str(exc)) from None
    out.print(f"system {system.id}: CVR {system.cvr} {system.name} agreement {system.agreement_uuid} "
              f"user system {setup.user_system_uuid}", markup=False)


@systems_app.command("setup")
def systems_setup(
    system_id: Annotated[int, typer.Argument(help="The system's id (opencpr systems list).")],
    user_system: Annotated[str | None, typer.Option("--user-system", help="The UserSystemUUID.")] = None,
    ssh_key: Annotated[Path | None, typer.Option("--ssh-key", help="SSH public key file (OpenSSH .pub).")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Set a system's SF6002 UserSystemUUID (its SFTP user name) and the SSH key of its SFTP client."""
    from opencpr.access.subscribers import SubscriberError, set_subscription_setup

    try:
        key = ssh_key.read_text(encoding="utf-8") if ssh_key else None
        setup = set_subscription_setup(_engine(database_url), system_id, user_system_uuid=user_system,
                                       ssh_public_key=key, by=_by())
    except (SubscriberError, OSError) as exc:
        raise _fail(str(exc)) from None
    out.print(f"system {system_id}: user system {setup.user_system_uuid or '-'} "
              f"SSH key {(setup.ssh_public_key or '-')[:60]}", markup=False)


@systems_app.command("list")
def systems_list(database_url: DatabaseOption = None) -> None:
    """List subscriber systems."""
    from opencpr.access.subscribers import list_systems

    table = Table("id", "CVR", "UID", "name", "service agreement", "group", "authority", "active")
    for s in list_systems(_engine(database_url)):
        table.add_row(str(s.id), s.cvr, s.uid or "*", s.name, s.agreement_uuid, s.group_name, s.authority or "",
                      "yes" if s.active else "no")
    out.print(table)


def _set_system(system_id: int, active: bool, database_url: str | None) -> None:
    from opencpr.access.subscribers import SubscriberError, set_system_active

    try:
        set_system_active(_engine(database_url), system_id, active, by=_by())
    except SubscriberError as exc:
        raise _fail(str(exc)) from None
    err.print(f"System {system_id} {'enabled' if active else 'disabled'}")


@systems_app.command("disable")
def systems_disable(system_id: int, database_url: DatabaseOption = None) -> None:
    """Stop a subscriber system's certificates from being accepted."""
    _set_system(system_id, False, database_url)


@systems_app.command("enable")
def systems_enable(system_id: int, database_url: DatabaseOption = None) -> None:
    """Accept a subscriber system's certificates again."""
    _set_system(system_id, True, database_url)


# --- audit ---------------------------------------------------------------------------------------

def _print_records(records, title: str, as_json: bool) -> None:
    """One line per record (grep-able), or JSON lines."""
    if as_json:
        for r in records:
            typer.echo(json.dumps({f: getattr(r, f) for f in r.__slots__}, ensure_ascii=False))
        return
    err.print(f"{title}: {len(records)} record(s)")
    for r in records:
        who = f"{r.actor} ({r.authority or '-'}, {r.group_name or r.actor_kind})"
        where = f" from {r.client}" if r.client else ""
        persons = f" persons {','.join(r.persons)}" if r.persons else ""
        result = "OK" if r.result_code == 0 else f"{r.result_code} {r.result_text or ''}".strip()
        detail = f" [{r.detail}]" if r.detail else ""
        typer.echo(f"#{r.id} {r.at} {who}{where} {r.service} {r.action}{persons} -> {result}{detail}")


JsonOption = Annotated[bool, typer.Option("--json", help="JSON lines instead of text.")]


AnchorFileOption = Annotated[Path | None, typer.Option("--anchor", help="A file of anchored chain heads "
                                                    "(`opencpr audit anchor`): fail if the trail was cut back "
                                                    "below one or rewritten.")]


@audit_app.command("verify")
def audit_verify(
    anchor: AnchorFileOption = None,
    public_key: Annotated[Path | None, typer.Option(help="Ed25519 public key (PEM): every anchor must be signed "
                                                         "by it.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Check the hash chain and the person index (and the anchors); exit 1 and name the records if
    anything was changed."""
    from opencpr.access.anchor import load_public_key, read_anchors
    from opencpr.access.audit import verify_audit

    try:
        anchors = read_anchors(anchor) if anchor else None
        key = load_public_key(public_key) if public_key else None
    except (OSError, ValueError) as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    report = verify_audit(_engine(database_url), anchors=anchors, public_key=key)
    against = f"; {len(anchors):,} anchors hold" if anchors else ""
    if report.ok:
        out.print(f"OK: {report.records:,} audit records, chain intact; head {report.head_seq} "
                  f"{report.head_hash}{against}", markup=False)
        return
    out.print(f"BROKEN: {len(report.problems)} problem(s) in {report.records:,} audit records", markup=False)
    for p in report.problems:
        out.print(f"  {p.kind:<9} {p.message}", markup=False)
    raise typer.Exit(1)


@audit_app.command("anchor")
def audit_anchor(
    file: Annotated[Path, typer.Option("--file", help="The anchor file (appended to; keep it off the "
                                                      "database host).")],
    key: Annotated[Path | None, typer.Option(help="Ed25519 private key (PEM) to sign the anchor with.")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Append the audit chain's head (record number and hash) to an anchor file outside the database."""
    from opencpr.access.anchor import write_anchor

    anchor = write_anchor(_engine(database_url), file, key=key)
    out.print(f"anchored record {anchor.seq} {anchor.hash} at {anchor.at}"
              + (" (signed)" if anchor.signature else ""), markup=False)


@audit_app.command("keygen")
def audit_keygen(key: Annotated[Path, typer.Argument(help="Where to write the private key; the public "
                                                          "key goes to KEY.pub.")]) -> None:
    """Make an Ed25519 key pair for signing anchors."""
    from opencpr.access.anchor import make_key

    try:
        public = make_key(key)
    except FileExistsError:
        err.print(f"[red]{key} exists; not overwritten[/]")
        raise typer.Exit(1) from None
    out.print(f"private key {key} (mode 0600), public key {public}", markup=False)


@audit_app.command("person")
def audit_person_cmd(
    pnr: Annotated[str, typer.Argument(help="The person's PNR (DDMMYYSSSS or DDMMYY-SSSS).")],
    limit: Annotated[int | None, typer.Option(help="At most this many records.")] = None,
    as_json: JsonOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """Who looked up or changed a person (including refused attempts)."""
    from opencpr.access.audit import audit_for_person
    from opencpr.domain.pnr import InvalidPNR, normalize

    try:
        digits = normalize(pnr)
    except InvalidPNR as exc:
        raise _fail(str(exc), 2) from None
    _print_records(audit_for_person(_engine(database_url), digits, limit=limit), f"Audit records naming {digits}",
                   as_json)


@audit_app.command("user")
def audit_user_cmd(
    code: Annotated[str, typer.Argument(help="A user code, or CVR:<cvr> for a subscriber system.")],
    limit: Annotated[int | None, typer.Option(help="At most this many records.")] = None,
    as_json: JsonOption = False,
    database_url: DatabaseOption = None,
) -> None:
    """What a user (or a system) did."""
    from opencpr.access.audit import audit_for_actor
    from opencpr.access.users import InvalidUserCode, normalize_user_code

    actor = code.strip()
    if actor.upper().startswith("CVR:"):
        actor = "CVR:" + actor[4:]
    else:
        with contextlib.suppress(InvalidUserCode):  # administrators appear as cli:<login>
            actor = normalize_user_code(actor)
    _print_records(audit_for_actor(_engine(database_url), actor, limit=limit), f"Audit records of {actor}", as_json)


# --- usage ---------------------------------------------------------------------------------------

def usage_cmd(
    month: Annotated[str, typer.Option("--month", help="The month to bill, YYYY-MM.")],
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
    daily: Annotated[bool, typer.Option("--daily", help="One line per day.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Print the bill lines of a month: billable calls per authority, user and service."""
    from opencpr.access.usage import month_bounds, usage_csv, usage_lines

    try:
        month_bounds(month)
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    lines = usage_lines(_engine(database_url), month, daily=daily)
    if csv:
        typer.echo(usage_csv(lines), nl=False)
        return
    table = Table("period", "authority", "name", "user", "service", "calls", title=f"Usage {month}")
    for line in lines:
        table.add_row(line.period, line.authority, line.authority_name, line.actor, line.service, f"{line.calls:,}")
    table.add_row("", "", "", "", "total", f"{sum(line.calls for line in lines):,}")
    out.print(table)


# --- certificates --------------------------------------------------------------------------------

CertDir = Annotated[Path, typer.Option("--dir", help="Where the certificates are kept.")]


@certs_app.command("init")
def certs_init(
    directory: CertDir = Path("certs"),
    host: Annotated[list[str] | None, typer.Option("--host", help="Server names/addresses (repeatable).")] = None,
    force: Annotated[bool, typer.Option(help="Make a new CA even if one exists.")] = False,
) -> None:
    """Make a development CA (ca.key/ca.crt) and a server certificate (server.key/server.crt)."""
    from opencpr.access.certificates import Issued, make_ca, make_server_certificate

    if (directory / "ca.crt").exists() and not force:
        ca = Issued.load(directory, "ca")
        err.print(f"Using the existing CA in {directory}")
    else:
        ca = make_ca()
        ca.save(directory, "ca")
        err.print(f"Made a development CA in {directory}")
    hosts = tuple(host or ("localhost", "127.0.0.1"))
    make_server_certificate(ca, hosts).save(directory, "server")
    out.print(f"{directory / 'ca.crt'}\n{directory / 'server.crt'} ({', '.join(hosts)})", markup=False)


@certs_app.command("client")
def certs_client(
    cvr: Annotated[str, typer.Argument(help="The company's CVR number (8 digits).")],
    directory: CertDir = Path("certs"),
    uid: Annotated[str | None, typer.Option(help="OCES UID (default: random).")] = None,
    form: Annotated[str, typer.Option(help="oces2 (serialNumber=CVR:…-UID:…), oces3 "
                                           "(organizationIdentifier=NTRDK-…) or both.")] = "both",
    organisation: Annotated[str, typer.Option(help="Company name.")] = "Development company",
    system: Annotated[str, typer.Option(help="System name (CN).")] = "Development system",
) -> None:
    """Make an OCES-style client certificate for a CVR, signed by the development CA."""
    from opencpr.access.certificates import (
        CertificateError,
        Issued,
        make_client_certificate,
        oces_identity,
        subject_text,
    )

    if not (directory / "ca.crt").exists():
        raise _fail(f"no CA in {directory}: run `opencpr certs init` first")
    try:
        issued = make_client_certificate(Issued.load(directory, "ca"), cvr, organisation=organisation,
                                         system=system, uid=uid, form=form)
    except CertificateError as exc:
        raise _fail(str(exc)) from None
    got_cvr, got_uid = oces_identity(issued.certificate)
    stem = f"client-{cvr}" + (f"-{got_uid}" if got_uid else "")
    key_path, cert_path = issued.save(directory, stem)
    out.print(f"{cert_path} {subject_text(issued.certificate.subject)}", markup=False)


@certs_app.command("show")
def certs_show(path: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Print a certificate's subject, validity and the CVR it carries."""
    from opencpr.access.certificates import CertificateError, load_certificate, oces_identity, subject_text

    try:
        cert = load_certificate(path.read_bytes())
    except CertificateError as exc:
        raise _fail(f"{path}: {exc}") from None
    out.print(f"subject  {subject_text(cert.subject)}", markup=False)
    out.print(f"issuer   {subject_text(cert.issuer)}", markup=False)
    out.print(f"valid    {cert.not_valid_before_utc:%Y-%m-%d} – {cert.not_valid_after_utc:%Y-%m-%d}"
              f"{' (expired)' if cert.not_valid_after_utc < dt.datetime.now(dt.UTC) else ''}", markup=False)
    try:
        cvr, uid = oces_identity(cert)
        out.print(f"CVR      {cvr}" + (f" (UID {uid})" if uid else ""), markup=False)
    except CertificateError:
        out.print("CVR      none", markup=False)
