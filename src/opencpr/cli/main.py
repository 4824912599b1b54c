"""The ``opencpr`` command line: set up, fill, read and check the register."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from opencpr.cli.access import audit_app, certs_app, groups_app, systems_app, usage_cmd, users_app
from opencpr.cli.subscriptions import deliveries_app, extract_app

app = typer.Typer(
    help="OpenCPR: the Danish CPR register and its services.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
console = Console(stderr=True)

app.add_typer(users_app, name="users")
app.add_typer(groups_app, name="groups")
app.add_typer(systems_app, name="systems")
app.add_typer(audit_app, name="audit")
app.add_typer(certs_app, name="certs")
app.add_typer(extract_app, name="extract")
app.add_typer(deliveries_app, name="deliveries")
app.command("usage")(usage_cmd)

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database-url", envvar="OPENCPR_DATABASE_URL",
                 help="SQLAlchemy URL of the register (default: SQLite in the data directory)."),
]


def _engine(database_url: str | None):
    from opencpr.bootstrap import open_engine

    return open_engine(database_url)


def _progress(total: int | None, label: str) -> Progress:
    return Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console, transient=False, disable=not console.is_terminal)


@app.command()
def init(database_url: DatabaseOption = None) -> None:
    """Create the register (or bring its schema up to date) with the default security groups."""
    from opencpr.bootstrap import ensure_defaults

    engine = _engine(database_url)
    ensure_defaults(engine)
    console.print(f"Register ready at [bold]{engine.url.render_as_string(hide_password=True)}[/]")


@app.command()
def generate(
    persons: Annotated[int, typer.Option("--persons", "-n", min=1, help="How many persons to generate.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed: the same seed gives the same register.")] = 1,
    today: Annotated[str | None, typer.Option(help="The register's 'today' (YYYY-MM-DD); default today.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: one per core).")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Fill the register with a synthetic population that looks like Denmark's."""
    from opencpr.population.load import load_population

    engine = _engine(database_url)
    day = dt.date.fromisoformat(today) if today else dt.date.today()
    with _progress(persons, "Generating") as progress:
        task = progress.add_task("persons", total=persons)
        report = load_population(engine, persons, seed, today=day, workers=workers,
                                 progress=lambda n: progress.update(task, completed=n))
    console.print(f"Generated {report.persons:,} persons in {report.seconds:.1f} s "
                  f"({report.persons / max(report.seconds, 1e-9):,.0f} persons/s)")
    _print_summary(engine)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A CPR extract (P12170 layout).")],
    database_url: DatabaseOption = None,
) -> None:
    """Load a CPR extract into the register (all or nothing)."""
    from opencpr.formats.extract import ExtractError
    from opencpr.register.importer import import_extract

    engine = _engine(database_url)
    started = time.perf_counter()
    try:
        with open(file, "rb") as stream:
            report = import_extract(engine, stream)
    except ExtractError as exc:
        console.print(f"[red]{file}: {exc}[/]\nNothing was stored.")
        raise typer.Exit(1) from None
    console.print(f"Imported {report.persons:,} persons ({report.records:,} records) from {file} "
                  f"in {time.perf_counter() - started:.1f} s")


@app.command()
def export(
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    pnr: Annotated[list[str] | None, typer.Option("--pnr", help="Only these persons (repeatable).")] = None,
    task_number: Annotated[int, typer.Option(help="Task number (OPGAVENR) in the start record.")] = 0,
    database_url: DatabaseOption = None,
) -> None:
    """Write the register as a full CPR extract (000 … 999, ISO-8859-1)."""
    from opencpr.domain.pnr import InvalidPNR, normalize
    from opencpr.register.exporter import export_extract

    try:
        wanted = [normalize(p) for p in pnr] if pnr else None
    except InvalidPNR as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    engine = _engine(database_url)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(open(output, "wb")) if output else sys.stdout.buffer
        report = export_extract(engine, out, pnrs=wanted, task_number=task_number)
    console.print(f"Exported {report.persons:,} persons ({report.records:,} records) "
                  f"in {time.perf_counter() - started:.1f} s")


@app.command()
def check(
    examples: Annotated[int, typer.Option(help="How many violations to list.")] = 50,
    database_url: DatabaseOption = None,
) -> None:
    """Verify the register's invariants and print what is wrong (exit 1 if anything is)."""
    from opencpr.register.check import check_register

    engine = _engine(database_url)
    report = check_register(engine, max_examples=examples)
    if report.ok:
        console.print(f"[green]OK[/]: {report.persons:,} persons, no invariant broken")
        return
    table = Table("rule", "violations", title=f"{report.persons:,} persons checked")
    for rule, n in report.by_rule.most_common():
        table.add_row(rule, f"{n:,}")
    console.print(table)
    for v in report.examples:
        console.print(f"  {v}")
    raise typer.Exit(1)


def _print_summary(engine) -> None:
    from opencpr.register.summary import summarize

    s = summarize(engine)
    table = Table("", "persons", title="Register summary")
    for label, n in s.items():
        table.add_row(label, f"{n:,}")
    Console().print(table)


@app.command()
def summary(database_url: DatabaseOption = None) -> None:
    """Print what the register holds: persons by status, couples, children, protections."""
    _print_summary(_engine(database_url))


@app.command()
def demo(
    persons: Annotated[int, typer.Option("--persons", "-n", min=1)] = 2_000,
    seed: Annotated[int, typer.Option()] = 1,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve",
                                              help="Start the server on the demo register afterwards.")] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Build the demo register: CPR's demo persons, a synthetic population and the demo user; print a summary."""
    from opencpr.bootstrap import ensure_demo_user
    from opencpr.population.load import load_population
    from opencpr.register.demo import load_demo_persons
    from opencpr.register.importer import count_persons

    engine = _engine(database_url)
    user, password = ensure_demo_user(engine)
    if count_persons(engine) == 0:
        n_demo = load_demo_persons(engine)
        console.print(f"Loaded {n_demo} CPR demo persons")
        report = load_population(engine, persons, seed, today=dt.date.today())
        console.print(f"Generated {report.persons:,} synthetic persons in {report.seconds:.1f} s")
    else:
        console.print("The register is not empty; showing what it holds")
    _print_summary(engine)
    console.print(f"Demo user: [bold]{user}[/] password [bold]{password}[/]")
    if serve_after:
        serve(database_url=database_url, host=None, https_port=None, http_port=None, log_level="info", workers=1)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default from the configuration).")] = None,
    https_port: Annotated[int | None, typer.Option(help="HTTPS port (0: none).")] = None,
    http_port: Annotated[int | None, typer.Option(help="Plain HTTP port for local work (0: none).")] = None,
    sftp_port: Annotated[int | None, typer.Option(help="SFTP port for SF6002 deliveries (0: none).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    workers: Annotated[int, typer.Option(min=1, help="Server processes (each listening on the same ports; the system spreads the connections over them).")] = 1,
    database_url: DatabaseOption = None,
) -> None:
    """Run the server: GCTP at /cpr-online-gctp/gctp, REST at /api/v1, docs at /docs."""
    import dataclasses
    import functools

    from opencpr.app import app_for
    from opencpr.config import ConfigError, load_settings
    from opencpr.server import serve as run_server

    try:
        settings = load_settings()
    except ConfigError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    changes = {k: v for k, v in {"host": host, "https_port": https_port, "http_port": http_port,
                                 "sftp_port": sftp_port}.items()
               if v is not None}
    settings = dataclasses.replace(settings, **changes)
    url = database_url or settings.database_url
    engine = _engine(url)  # migrates the schema once, before any worker starts
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    factory = functools.partial(app_for, url, settings.audit_mode, settings.gctp_env, settings)

    def started(listeners) -> None:
        for listener in listeners:
            console.print(f"Serving [bold]{listener.scheme}://{listener.host}:{listener.port}[/] "
                          f"(GCTP {listener.scheme}://{listener.host}:{listener.port}/cpr-online-gctp/gctp, "
                          f"docs /docs)")

    from opencpr.scheduler import subscription_jobs

    if settings.sftp_port:
        console.print(f"SFTP for SF6002 deliveries on [bold]{settings.host}:{settings.sftp_port}[/]")
    run_server(factory, settings, log_level, started, workers=workers,
               background=functools.partial(subscription_jobs, url, settings))


@app.command()
def catalog(
    as_json: Annotated[bool, typer.Option("--json", help="The specifications as JSON.")] = False,
) -> None:
    """The service catalogue: every search service with its keys and result fields."""
    import json

    from opencpr.services.catalogue import catalogue, specifications

    if as_json:
        sys.stdout.write(json.dumps(specifications(), ensure_ascii=False, indent=2) + "\n")
        return
    table = Table("service", "system", "category", "keys", "title", title="Service catalogue")
    for s in catalogue().values():
        table.add_row(s.name, s.system, s.category.value, " ".join(k.name + ("*" if k.required else "")
                                                                    for k in s.keys), s.title)
    Console().print(table)


pending_app = typer.Typer(help="The pending register (venteregister): future-dated events and events awaiting "
                                "approval.", no_args_is_help=True)
app.add_typer(pending_app, name="pending")


def _job_gate(database_url: str | None):
    from opencpr.bootstrap import job_gate

    return job_gate(_engine(database_url), "run-due")


@app.command("run-due")
def run_due_cmd(database_url: DatabaseOption = None) -> None:
    """Apply the future-dated events whose date has come (the server does it every minute too)."""
    from opencpr.services.pending import run_due

    gate, actor = _job_gate(database_url)
    with gate:
        results = run_due(gate, actor)
    for r in results:
        console.print(f"{r.pending_id}: {r.event_code} {r.pnr or ''} "
                      + ("[green]applied[/]" if r.applied else f"[red]failed[/]: {'; '.join(r.problems)}"))
    console.print(f"{sum(r.applied for r in results)} applied, {sum(not r.applied for r in results)} failed")


@pending_app.command("list")
def pending_list(
    pnr: Annotated[str | None, typer.Option(help="Only this person's events.")] = None,
    state: Annotated[str | None, typer.Option(help="waiting, awaiting_approval, applied, withdrawn, failed …")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """List the pending register, newest first."""
    from opencpr.services.pending import LIST_PENDING

    gate, actor = _job_gate(database_url)
    with gate:
        rows = gate.call(actor, LIST_PENDING, pnr=pnr, state=state).info["pending"]
    table = Table("id", "event", "pnr", "date", "state", "reported by", "reported at", title="Pending register")
    for r in rows:
        table.add_row(str(r["id"]), r["event_code"], r["pnr"] or "", r["event_date"], r["state"], r["reported_by"],
                      r["reported_at"])
    Console().print(table)


@pending_app.command("withdraw")
def pending_withdraw(pending_id: int, database_url: DatabaseOption = None) -> None:
    """Withdraw a waiting event."""
    from opencpr.domain.kvit import KvitError
    from opencpr.services.pending import WITHDRAW_PENDING

    gate, actor = _job_gate(database_url)
    try:
        with gate:
            gate.call(actor, WITHDRAW_PENDING, pending_id=pending_id)
    except KvitError as exc:
        console.print(f"[red]Kvit {exc.code}: {exc.text}[/]")
        raise typer.Exit(1) from None
    console.print(f"Withdrew event {pending_id}")


UserOption = Annotated[str, typer.Option("--user", "-u", envvar="OPENCPR_USER",
                                         help="The caseworker's user code: the decision is audited on it and "
                                              "the user's group and municipality decide what it may do.")]


def _decide(database_url: str | None, user: str, run) -> None:
    from opencpr.access.users import UserError
    from opencpr.bootstrap import user_gate
    from opencpr.domain.kvit import KvitError
    from opencpr.services.errors import DataRefused

    try:
        gate, actor = user_gate(_engine(database_url), user)
    except UserError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    try:
        with gate:
            outcome = run(gate, actor)
    except DataRefused as exc:
        console.print(f"[red]Kvit {exc.code}: {exc.kvit.text}[/]")
        for p in exc.problems:
            console.print(f"  {p.code} {p.field or ''} {p.text}")
        raise typer.Exit(1) from None
    except KvitError as exc:
        console.print(f"[red]Kvit {exc.code}: {exc.text}[/]")
        raise typer.Exit(1) from None
    for r in outcome.parts.get("pending_report", []):
        console.print(f"{r['pending_id']}: {r['event']} {r['pnr'] or ''} {r['event_date']} — {r['status_text']}"
                      + (f" ({r['reason']})" if r.get("reason") else ""))


@pending_app.command("inbox")
def pending_inbox(user: UserOption, municipality: Annotated[str | None, typer.Option(
        help="The CPR office: only this municipality's reports.")] = None,
                  database_url: DatabaseOption = None) -> None:
    """The reports awaiting the user's municipality, with what would change."""
    from opencpr.access.users import UserError
    from opencpr.bootstrap import user_gate
    from opencpr.services.pending import inbox

    try:
        gate, actor = user_gate(_engine(database_url), user)
        with gate:
            outcome = inbox(gate, actor, municipality=municipality, limit=200)
    except UserError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    table = Table("id", "event", "pnr", "date", "municipality", "reported by", "would change to", "problems",
                  title="Awaiting approval")
    for r in outcome.parts.get("pending_report", []):
        after = ", ".join(f"{a['field']}={a['value']}" for a in r.get("after") or ())
        problems = "; ".join(p["text"] for p in r.get("problems") or ())
        table.add_row(str(r["pending_id"]), r["event"], r["pnr"] or "", r["event_date"], r["municipality"] or "",
                      r["reported_by"], after, problems)
    Console().print(table)


@pending_app.command("approve")
def pending_approve(pending_id: int, user: UserOption, database_url: DatabaseOption = None) -> None:
    """Approve a report: validated again on the register as it is now and applied as of its date."""
    from opencpr.services.pending import approve

    _decide(database_url, user, lambda gate, actor: approve(gate, actor, pending_id))


@pending_app.command("reject")
def pending_reject(pending_id: int, user: UserOption,
                   reason: Annotated[str, typer.Option("--reason", "-r", help="Why: the reporter sees it.")],
                   database_url: DatabaseOption = None) -> None:
    """Reject a report with a reason."""
    from opencpr.services.pending import reject

    _decide(database_url, user, lambda gate, actor: reject(gate, actor, pending_id, reason))
