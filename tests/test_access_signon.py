"""Users, signon, passwords and sessions on both databases, with a clock the tests move."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from opencpr.access.audit import audit_for_actor, verify_audit
from opencpr.access.passwords import CHEAP, HashCost, Passwords
from opencpr.access.sessions import TOKEN_ALPHABET, TokenUnknown
from opencpr.access.users import (
    UserError,
    actor_for_user,
    add_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    reset_password,
)
from opencpr.clock import FixedClock
from opencpr.domain.kvit import Kvit
from opencpr.register.access_schema import user_account
from opencpr.register.db import make_engine
from opencpr.services.gate import Gate
from opencpr.services.permissions import ensure_default_groups

START = dt.datetime(2026, 3, 2, 8, 0, 0)
FIRST = "Forste#Kode1"


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def gate(engine, clock):
    ensure_default_groups(engine)
    return Gate(engine, clock, passwords=Passwords(CHEAP))


def new_user(gate, code="KOM1", authority="0851", group="municipality", password=FIRST) -> str:
    """A user who has replaced the one-time password with ``password``."""
    one_time = add_user(gate.engine, code, authority, group, clock=gate.clock, passwords=gate.passwords)
    assert gate.signon(code, one_time).kvit is Kvit.PASSWORD_EXPIRED  # must be changed first
    assert gate.change_password(code, one_time, password, password).kvit is Kvit.SIGNON_OK
    return one_time


def test_password_life_cycle(gate, clock):
    one_time = new_user(gate)
    first = gate.signon("kom1", FIRST, client="10.1.2.3")  # user codes are case-insensitive
    assert first.ok and first.code == 900 and first.text == "Signon udført"
    assert len(first.token) == 8 and set(first.token) <= set(TOKEN_ALPHABET)
    assert first.expires_at == START + dt.timedelta(hours=2)

    clock.advance(days=89, hours=23, minutes=59)
    assert gate.signon("KOM1", FIRST).ok  # still valid on day 89
    clock.set(START + dt.timedelta(days=90))
    assert gate.signon("KOM1", FIRST).kvit is Kvit.PASSWORD_EXPIRED  # expired at day 90 ...
    assert gate.signon("KOM1", FIRST).kvit is Kvit.PASSWORD_EXPIRED  # ... until changed
    assert gate.signon("KOM1", "Wrong#Kode1").kvit is Kvit.PASSWORD_WRONG  # expiry is not told to guessers

    differ = gate.change_password("KOM1", FIRST, "Anden#Kode2", "Anden#Kode3")
    assert differ.kvit is Kvit.NEW_PASSWORDS_DIFFER and differ.code == 907
    weak = gate.change_password("KOM1", FIRST, "kort")
    assert weak.kvit is Kvit.NEW_PASSWORD_INVALID and weak.code == 908
    assert any("at least 8" in p for p in weak.problems) and "upper-case" in weak.text
    forbidden = gate.change_password("KOM1", FIRST, "Anden&Kode2")
    assert forbidden.kvit is Kvit.NEW_PASSWORD_INVALID and "none of the characters &" in forbidden.text
    same = gate.change_password("KOM1", FIRST, FIRST)
    assert same.kvit is Kvit.NEW_PASSWORD_INVALID and same.problems == ("not one of the last 5 passwords",)
    assert gate.change_password("KOM1", FIRST, one_time).kvit is Kvit.NEW_PASSWORD_INVALID  # also a last-5

    changed = gate.change_password("KOM1", FIRST, "Anden#Kode2")
    assert changed.ok and changed.token  # a changed password signs on at once
    assert gate.signon("KOM1", "Anden#Kode2").ok
    assert gate.signon("KOM1", FIRST).kvit is Kvit.PASSWORD_WRONG

    # the last 5 may not come back; the 6th oldest may
    history = ["Anden#Kode2"]
    for n in range(3, 7):
        clock.advance(days=1)
        new = f"Kode#Nummer{n}"
        assert gate.change_password("KOM1", history[-1], new).ok
        history.append(new)
    assert gate.change_password("KOM1", history[-1], history[0]).kvit is Kvit.NEW_PASSWORD_INVALID
    assert gate.change_password("KOM1", history[-1], FIRST).ok  # set 6 changes ago: allowed again


def test_five_wrong_passwords_lock_the_user_code(gate):
    new_user(gate)
    for _ in range(4):
        assert gate.signon("KOM1", "Forkert#1").kvit is Kvit.PASSWORD_WRONG
    assert gate.signon("KOM1", FIRST).ok  # a good signon resets the count
    for n in range(5):
        assert gate.signon("KOM1", "Forkert#1").kvit is Kvit.PASSWORD_WRONG, n
    user = get_user(gate.engine, "KOM1")
    assert user.locked and user.failed_signons == 5
    assert gate.signon("KOM1", FIRST).kvit is Kvit.USER_INACTIVE  # locked, even with the right password
    assert gate.change_password("KOM1", FIRST, "Anden#Kode2").kvit is Kvit.USER_INACTIVE
    enable_user(gate.engine, "KOM1")
    assert gate.signon("KOM1", FIRST).ok
    wrong_change = gate.change_password("KOM1", "Forkert#1", "Anden#Kode2")  # counts as a wrong password
    assert wrong_change.kvit is Kvit.PASSWORD_WRONG and get_user(gate.engine, "KOM1").failed_signons == 1


def test_user_codes_malformed_unknown_and_disabled(gate):
    assert gate.signon("ab", "x").kvit is Kvit.USER_ID_INVALID
    assert gate.signon("ABCDEFGHI", "x").code == 904
    assert gate.signon("KØB1", "x").code == 904
    assert gate.signon("NOSUCH1", "Whatever#1").kvit is Kvit.USER_UNKNOWN
    new_user(gate)
    token = gate.signon("KOM1", FIRST).token
    assert gate.actor_for_token(token).user_code == "KOM1"
    disable_user(gate.engine, "KOM1")
    assert gate.signon("KOM1", FIRST).kvit is Kvit.USER_INACTIVE
    with pytest.raises(TokenUnknown):
        gate.actor_for_token(token)  # a disabled user's sessions stop working
    enable_user(gate.engine, "KOM1")
    assert gate.actor_for_token(token).user_code == "KOM1"


def test_reset_password_gives_a_new_one_time_password(gate):
    new_user(gate)
    for _ in range(5):
        gate.signon("KOM1", "Forkert#1")
    one_time = reset_password(gate.engine, "KOM1", clock=gate.clock, passwords=gate.passwords)
    assert gate.signon("KOM1", FIRST).kvit is Kvit.PASSWORD_WRONG  # the old one is gone; lock lifted
    assert gate.signon("KOM1", one_time).kvit is Kvit.PASSWORD_EXPIRED
    assert gate.change_password("KOM1", one_time, "Ny#Kode1234").ok


def test_tokens_expire_two_hours_after_signon(gate, clock, database_url):
    new_user(gate)
    result = gate.signon("KOM1", FIRST, client="192.0.2.7")
    actor = gate.actor_for_token(result.token)
    assert (actor.kind, actor.user_code, actor.authority, actor.group.name, actor.client) == (
        "user", "KOM1", "0851", "municipality", "192.0.2.7")
    other_process = make_engine(database_url)  # sessions live in the database, shared by processes
    try:
        assert Gate(other_process, clock).actor_for_token(result.token, client="x").client == "x"
    finally:
        other_process.dispose()
    clock.advance(hours=1, minutes=59, seconds=59)
    assert gate.actor_for_token(result.token).user_code == "KOM1"  # using it does not extend it
    clock.advance(seconds=1)
    with pytest.raises(TokenUnknown) as expired:
        gate.actor_for_token(result.token)
    assert expired.value.code == 901 and expired.value.text == "Token kendes ikke"
    for bad in ("ZZZxxxxxxxx", "", "ABCDEFGH", None):
        with pytest.raises(TokenUnknown):
            gate.actor_for_token(bad)
    assert not gate.signoff("ABCDEFGH")
    fresh = gate.signon("KOM1", FIRST).token
    assert gate.signoff(fresh)
    with pytest.raises(TokenUnknown):
        gate.actor_for_token(fresh)


def test_users_are_validated_against_authorities_and_groups(gate):
    with pytest.raises(UserError, match="not in CPR's authority table"):
        add_user(gate.engine, "X1234", "9998", "cpr-office", passwords=gate.passwords)
    with pytest.raises(UserError, match="4 digits"):
        add_user(gate.engine, "X1234", "85a", "cpr-office", passwords=gate.passwords)
    with pytest.raises(UserError, match="not a municipality"):
        add_user(gate.engine, "X1234", "7001", "municipality", passwords=gate.passwords)
    with pytest.raises(UserError, match="no security group"):
        add_user(gate.engine, "X1234", "0851", "nosuch", passwords=gate.passwords)
    with pytest.raises(UserError, match="4-8 letters"):
        add_user(gate.engine, "X", "0851", "municipality", passwords=gate.passwords)
    add_user(gate.engine, "kirke1", "7001", "church-office", full_name="Vor Frue", passwords=gate.passwords)
    with pytest.raises(UserError, match="already exists"):
        add_user(gate.engine, "KIRKE1", "7001", "church-office", passwords=gate.passwords)
    add_user(gate.engine, "CPR1", "3", "cpr-office", passwords=gate.passwords)  # 0003 CPR-kontoret
    users = {u.user_code: u for u in list_users(gate.engine)}
    assert users["KIRKE1"].authority == "7001" and users["KIRKE1"].must_change
    assert users["CPR1"].authority == "0003"
    assert [u.user_code for u in list_users(gate.engine, group="church-office")] == ["KIRKE1"]
    assert actor_for_user(gate.engine, "cpr1").group.name == "cpr-office"


def test_signons_are_audited_without_passwords(gate):
    new_user(gate)
    gate.signon("KOM1", "Forkert#1", client="10.0.0.9")
    gate.signon("NOSUCH1", "Hemmelig#1")
    records = audit_for_actor(gate.engine, "KOM1")
    assert [(r.service, r.action, r.result_code) for r in records] == [
        ("SIGNON", "signon", 906), ("SIGNON", "newpass", 900), ("SIGNON", "signon", 905)]
    assert records[-1].client == "10.0.0.9" and records[-1].detail == "1 wrong in a row"
    assert audit_for_actor(gate.engine, "NOSUCH1")[0].result_code == 902
    everything = " ".join(str(r) for r in audit_for_actor(gate.engine, "KOM1"))
    assert "Forkert" not in everything and FIRST not in everything
    assert verify_audit(gate.engine).ok


def test_hashes_made_at_another_cost_are_renewed_at_signon(gate, clock):
    new_user(gate)
    stronger = Gate(gate.engine, clock, passwords=Passwords(HashCost(2, 128, 1)))
    assert stronger.signon("KOM1", FIRST).ok
    with gate.engine.connect() as conn:
        stored = conn.execute(select(user_account.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "m=128,t=2,p=1" in stored
    assert gate.signon("KOM1", FIRST).ok  # still the same password
