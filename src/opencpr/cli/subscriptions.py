"""Command line for SF6002 deliveries: ``opencpr extract run`` and ``opencpr deliveries …``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from opencpr.cli.access import DatabaseOption, out

err = Console(stderr=True)

extract_app = typer.Typer(help="SF6002 extraction: initial loads and nightly change extracts.", no_args_is_help=True)
deliveries_app = typer.Typer(help="SF6002 deliveries: unfetched files, retention.", no_args_is_help=True)


#: The exit status of a command that found the night's job held by another process (EX_TEMPFAIL:
#: nothing was done, try again later).
BUSY = 75


def _busy(busy) -> typer.Exit:
    err.print(f"[yellow]Another process holds the night's job ({busy.holder or 'its name is not visible'}); "
              f"nothing done here.[/]")
    return typer.Exit(BUSY)


def _parts(database_url: str | None):
    from opencpr.bootstrap import ensure_defaults, make_gate, open_engine
    from opencpr.config import load_settings
    from opencpr.delivery.store import DeliveryStore

    settings = load_settings()
    engine = open_engine(database_url or settings.database_url)
    ensure_defaults(engine)
    return settings, make_gate(engine), DeliveryStore(settings.delivery_dir)


@extract_app.command("run")
def extract_run(
    night: Annotated[str | None, typer.Option(help="The night (YYYY-MM-DD; default: the current one).")] = None,
    budget_hours: Annotated[float | None, typer.Option(help="Stop after this many hours (default: the "
                                                            "extract_budget_hours setting, 5).")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Run (or resume) a night's extraction for every subscriber system now.

    It holds the night's job like the server's scheduler does: while another process (a server, or
    another run) holds it, this one says so and exits with status 75, doing nothing."""
    from opencpr.delivery.extraction import run_extraction
    from opencpr.register.joblock import NIGHTLY, JobBusy, run_once

    try:
        day = dt.date.fromisoformat(night) if night else None
    except ValueError:
        err.print(f"[red]--night must be YYYY-MM-DD, not {night!r}[/]")
        raise typer.Exit(2) from None
    settings, gate, store = _parts(database_url)
    try:
        with run_once(gate.engine, NIGHTLY):
            report = run_extraction(gate, store, night=day,
                                    budget_seconds=(budget_hours or settings.extract_budget_hours) * 3600)
    except JobBusy as busy:
        raise _busy(busy) from None
    if report.already_finished:
        err.print(f"The extraction of night {report.night} has already finished")
        return
    for d in report.delivered:
        out.print(f"system {d.system_id}: {d.file_name} {d.persons} persons ({d.initial_persons} initial), "
                  f"{d.size} bytes" + ("; cut by the budget, the rest follows the next night" if d.cut else ""),
                  markup=False)
    err.print(f"Night {report.night}: {len(report.delivered)} deliveries, {report.systems_done} systems done"
              + (f"; stopped by the budget, {report.systems_left} systems left for the next night"
                 if report.stopped_by_budget else ""))


@deliveries_app.command("unfetched")
def deliveries_unfetched(
    days: Annotated[float | None, typer.Option(help="Older than this many days (default: the "
                                                    "unfetched_alert_days setting, 7).")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Deliveries lying unfetched longer than the threshold (exit 1 if there are any)."""
    from opencpr.delivery.monitoring import unfetched

    settings, gate, _ = _parts(database_url)
    lying = unfetched(gate.engine, days=days or settings.unfetched_alert_days)
    table = Table("system", "name", "file", "made", "days", "persons")
    for x in lying:
        table.add_row(str(x.system_id), x.system, x.file_name, x.created_at, f"{x.days:.1f}", str(x.persons))
    out.print(table)
    if lying:
        raise typer.Exit(1)


@deliveries_app.command("expire")
def deliveries_expire(
    days: Annotated[float | None, typer.Option(help="Unfetched for this many days (default: the retention_days "
                                                    "setting, 30).")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Delete deliveries not fetched within the retention period (holding the night's job, like
    ``extract run``: status 75 when another process holds it)."""
    from opencpr.delivery.monitoring import expire
    from opencpr.register.joblock import NIGHTLY, JobBusy, run_once

    settings, gate, store = _parts(database_url)
    try:
        with run_once(gate.engine, NIGHTLY):
            gone = expire(gate.engine, store, days=days or settings.retention_days)
    except JobBusy as busy:
        raise _busy(busy) from None
    for path in gone:
        out.print(f"deleted {path}", markup=False)
