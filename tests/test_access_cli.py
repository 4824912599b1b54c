"""The access command line: users, groups, systems, audit, usage and certs sub-apps."""

from __future__ import annotations

import datetime as dt
import getpass
import json

import pytest
import typer
from sqlalchemy import update
from typer.testing import CliRunner

from opencpr.access.audit import write_audit
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.sessions import change_password, signon
from opencpr.access.users import actor_for_user
from opencpr.cli.access import audit_app, certs_app, groups_app, systems_app, usage_cmd, users_app
from opencpr.clock import FixedClock
from opencpr.domain.kvit import Kvit
from opencpr.register.access_schema import audit_record
from opencpr.register.db import make_engine
from opencpr.register.demo import load_demo_persons
from opencpr.services import catalogue as cat
from opencpr.services.gate import Gate

ENV = {"OPENCPR_PASSWORD_COST": "cheap"}


@pytest.fixture
def run(database_url):
    runner = CliRunner()

    def invoke(app, *args: str, code: int = 0):
        result = runner.invoke(app, [*args, "--database-url", database_url], env=ENV)
        assert result.exit_code == code, result.output
        return result

    return invoke


def test_users_add_prints_a_one_time_password_that_must_be_changed(run, database_url):
    result = run(users_app, "add", "kom1", "--authority", "851", "--group", "municipality", "--name", "Karen")
    one_time = result.stdout.strip()
    assert "One-time password" in result.stderr
    engine = make_engine(database_url)
    try:
        cheap = Passwords(CHEAP)
        assert signon(engine, "KOM1", one_time, passwords=cheap).kvit is Kvit.PASSWORD_EXPIRED
        assert change_password(engine, "KOM1", one_time, "Ny#Kode1234", passwords=cheap).ok
        listed = run(users_app, "list").stdout
        assert "KOM1" in listed and "0851" in listed and "Karen" in listed and "active" in listed
        run(users_app, "disable", "KOM1")
        assert signon(engine, "KOM1", "Ny#Kode1234", passwords=cheap).kvit is Kvit.USER_INACTIVE
        run(users_app, "enable", "KOM1")
        new = run(users_app, "reset-password", "KOM1").stdout.strip()
        assert signon(engine, "KOM1", new, passwords=cheap).kvit is Kvit.PASSWORD_EXPIRED
    finally:
        engine.dispose()
    assert "no security group" in run(users_app, "add", "X1234", "-a", "0851", "-g", "nosuch", code=1).output
    assert "not in CPR's authority" in run(users_app, "add", "X1234", "-a", "9998", "-g", "cpr-office",
                                           code=1).output
    assert "already exists" in run(users_app, "add", "KOM1", "-a", "0851", "-g", "municipality", code=1).output
    assert "no user" in run(users_app, "disable", "NOSUCH1", code=1).output


def test_groups_list_show_and_set(run, tmp_path):
    listed = run(groups_app, "list").stdout
    for name in ("cpr-office", "municipality", "church-office", "citizen", "private-company", "subscriber-system"):
        assert name in listed
    shown = json.loads(run(groups_app, "show", "private-company").stdout)
    assert shown["permissions"]["search"] == {"services": ["STAMP"], "scope": "all"}

    run(groups_app, "set", "private-company", "--search", "STAMP,navne3")
    assert json.loads(run(groups_app, "show", "private-company").stdout)["permissions"]["search"]["services"] == [
        "STAMP", "navne3"]
    run(groups_app, "set", "private-company", "--events", "")  # nothing to take away: still fine
    failed = run(groups_app, "set", "private-company", "--search", "NOSUCH", code=1)
    assert "unknown search service 'NOSUCH'" in failed.output
    assert "give --title" in run(groups_app, "set", "newgroup", "--search", "STAMP", code=1).output
    run(groups_app, "set", "newgroup", "--title", "Ny gruppe", "--events", "A01,A21", "--event-scope",
        "own_municipality", "--protected-addresses")
    new = json.loads(run(groups_app, "show", "newgroup").stdout)
    assert new == {"name": "newgroup", "title": "Ny gruppe", "permissions": {
        "event": {"services": ["A01", "A21"], "scope": "own_municipality"}, "protected_addresses": True,
        "pending_only": False}}
    spec = tmp_path / "group.json"
    spec.write_text(json.dumps({"title": "Fra fil", "permissions": {"subscription": {"services": ["SF6002"]}}}))
    run(groups_app, "set", "fromfile", "--from-json", str(spec))
    assert json.loads(run(groups_app, "show", "fromfile").stdout)["title"] == "Fra fil"
    assert "no security group" in run(groups_app, "show", "nosuch", code=1).output


def test_audit_verify_person_and_user(run, database_url):
    engine = make_engine(database_url)
    try:
        run(users_app, "add", "KOM1", "-a", "0851", "-g", "municipality")
        load_demo_persons(engine)
        gate = Gate(engine, FixedClock(dt.datetime(2026, 11, 2, 9, 30)))
        gate.call(actor_for_user(engine, "KOM1", client="10.9.8.7"), cat.find("Stam+").spec, pnr="0101965058")
        assert "OK: 2 audit records" in run(audit_app, "verify").stdout
        person = run(audit_app, "person", "010196-5058").stdout
        assert person == ("#2 2026-11-02T09:30:00 KOM1 (0851, municipality) from 10.9.8.7 Stam+ lookup "
                          "persons 0101965058 -> OK\n")
        assert "USERS add" in run(audit_app, "user", "cli:" + getpass.getuser()).stdout
        as_json = json.loads(run(audit_app, "user", "kom1", "--json").stdout)
        assert as_json["persons"] == ["0101965058"] and as_json["hash"] == as_json["hash"].lower()
        assert "invalid" not in run(audit_app, "person", "12", code=2).stdout
        with engine.begin() as conn:
            conn.execute(update(audit_record).where(audit_record.c.id == 2).values(client="10.0.0.0"))
        broken = run(audit_app, "verify", code=1).stdout
        assert "BROKEN" in broken and "record 2 was altered" in broken
    finally:
        engine.dispose()


def test_usage_prints_bill_lines(run, database_url):
    engine = make_engine(database_url)
    try:
        from opencpr.access.audit import AuditEntry

        write_audit(engine, [AuditEntry("2026-10-31T23:59:59", "user", "KOM1", "0851", "municipality", None,
                                        "Stam+", "lookup", ("0101965058",), 0, billable=True)] * 3
                    + [AuditEntry("2026-11-01T00:00:00", "system", "CVR:12345678", None, "subscriber-system",
                                  None, "SF6002", "subscription", (), 0, billable=True)])
    finally:
        engine.dispose()
    app = typer.Typer()
    app.command("usage")(usage_cmd)
    assert run(app, "--month", "2026-10", "--csv").stdout == (
        "period,authority,authority_name,actor,service,calls\n2026-10,0851,Aalborg,KOM1,Stam+,3\n")
    assert run(app, "--month", "2026-11", "--csv").stdout.splitlines()[1] == "2026-11,,,CVR:12345678,SF6002,1"
    table = run(app, "--month", "2026-10").stdout
    assert "Aalborg" in table and "total" in table
    assert "2026-10-31" in run(app, "--month", "2026-10", "--daily", "--csv").stdout
    assert "YYYY-MM" in run(app, "--month", "2026-13", code=2).output


def test_systems_add_list_disable(run):
    added = run(systems_app, "add", "12345678", "--name", "Abonnent A/S").stdout
    assert "system 1: CVR 12345678 Abonnent A/S agreement" in added
    assert "Abonnent A/S" in run(systems_app, "list").stdout
    run(systems_app, "disable", "1")
    assert "no" in run(systems_app, "list").stdout
    assert "8 digits" in run(systems_app, "add", "123", "--name", "X", code=1).output


def test_certs_init_client_and_show(tmp_path):
    runner = CliRunner()
    folder = str(tmp_path / "certs")
    assert "no CA" in runner.invoke(certs_app, ["client", "12345678", "--dir", folder]).output
    made = runner.invoke(certs_app, ["init", "--dir", folder])
    assert made.exit_code == 0, made.output
    assert (tmp_path / "certs" / "ca.crt").exists() and (tmp_path / "certs" / "server.key").exists()
    client = runner.invoke(certs_app, ["client", "12345678", "--dir", folder, "--uid", "99", "--form", "oces2"])
    assert client.exit_code == 0, client.output
    assert "serialNumber=CVR:12345678-UID:99" in client.stdout
    shown = runner.invoke(certs_app, ["show", str(tmp_path / "certs" / "client-12345678-99.crt")])
    assert "CVR      12345678 (UID 99)" in shown.stdout
    again = runner.invoke(certs_app, ["init", "--dir", folder, "--host", "cpr.example"])
    assert "existing CA" in again.output and "cpr.example" in again.stdout
    server = runner.invoke(certs_app, ["show", str(tmp_path / "certs" / "server.crt")])
    assert "CVR      none" in server.stdout
    assert runner.invoke(certs_app, ["client", "1234", "--dir", folder]).exit_code == 1
