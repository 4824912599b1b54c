"""Pure access rules: passwords, security group permissions, Kvit codes (no database)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from opencpr.access.groups import Grant, GroupError, Kind, Scope
from opencpr.access.passwords import (
    CHEAP,
    HashCost,
    Passwords,
    is_acceptable,
    is_expired,
    one_time_password,
    password_problems,
)
from opencpr.domain.kvit import Kvit
from opencpr.services import permissions
from opencpr.services.permissions import DEFAULT_GROUPS, default_groups


@pytest.mark.parametrize("password", ["Abcdef1!", "Xy9#xxxxxxxx", "P4ssw0rd-Lang_nok", "aA1~aA1~"])
def test_good_passwords(password):
    assert password_problems(password) == []


@pytest.mark.parametrize(("password", "missing"), [
    ("Abc1!", "at least 8"),
    ("abcdefg1!", "upper-case"),
    ("ABCDEFG1!", "lower-case"),
    ("Abcdefgh!", "digit"),
    ("Abcdefgh1", "special"),
    ('Abcdefg1"', "none of"),
    ("Abcdefg1'", "none of"),
    ("Abcdefg1<", "none of"),
    ("Abcdefg1>", "none of"),
    ("Abcdefg1&!", "none of"),
    ("Abcdefg1?!", "none of"),
    ("Abcdefg1!æ", "none of"),
    ("Abcdefg1!Ø", "none of"),  # upper case æøå are refused too
    ("Abcdefg1!å", "none of"),
    ("Abc defg1!", "printable ASCII"),
    ("Abcdéfg1!", "printable ASCII"),
    ("A1!" + "a" * 62, "at most 64"),
])
def test_bad_passwords_say_what_is_missing(password, missing):
    problems = password_problems(password)
    assert problems and any(missing in p for p in problems), problems
    assert not is_acceptable(password)


def test_one_time_passwords_satisfy_the_rules_and_differ():
    made = {one_time_password() for _ in range(200)}
    assert len(made) == 200
    assert all(is_acceptable(p) for p in made)


def test_expiry_is_90_days_after_setting():
    set_at = dt.datetime(2026, 1, 1, 12, 0)
    assert not is_expired(set_at, set_at + dt.timedelta(days=90) - dt.timedelta(seconds=1))
    assert is_expired(set_at, set_at + dt.timedelta(days=90))


def test_argon2id_cost_is_configurable():
    cheap = Passwords(CHEAP)
    stored = cheap.hash("Abcdefg1!")
    assert stored.startswith("$argon2id$") and "m=64,t=1,p=1" in stored
    assert cheap.verify(stored, "Abcdefg1!") and not cheap.verify(stored, "Abcdefg1#")
    assert not cheap.verify("not a hash", "Abcdefg1!")
    assert Passwords(HashCost(2, 128, 1)).needs_rehash(stored)
    assert HashCost.parse("t=2,m=1024,p=2") == HashCost(2, 1024, 2)
    assert HashCost.parse("cheap") == CHEAP and HashCost.parse("default") == HashCost()
    with pytest.raises(ValueError, match="password cost"):
        HashCost.parse("fast")


# --- permissions ---------------------------------------------------------------------------------

def test_permissions_round_trip_through_json():
    for group in default_groups():
        again = permissions.parse_json(group.permissions.to_json())
        assert again.to_dict() == group.permissions.to_dict()


@pytest.mark.parametrize(("data", "message"), [
    ({"search": {"services": ["STAMPE"]}}, "unknown search service 'STAMPE'"),
    ({"event": {"services": ["Z99"]}}, "unknown event code"),
    ({"maintenance": {"services": ["address"]}}, "<data>:<action>"),
    ({"maintenance": {"services": ["house:correct"]}}, "unknown maintenance data"),
    ({"maintenance": {"services": ["address:delete"]}}, "unknown maintenance action"),
    ({"subscription": {"services": ["SF9999"]}}, "unknown subscription service"),
    ({"search": {"services": ["*"], "scope": "own_parish"}}, "scope must be one of"),
    ({"search": {"services": "STAMP"}}, "must be a list"),
    ({"search": ["STAMP"]}, "expected"),
    ({"searches": {"services": ["STAMP"]}}, "unknown permission keys"),
    ({"protected_addresses": "yes"}, "true or false"),
])
def test_bad_permissions_are_refused_with_a_reason(data, message):
    with pytest.raises(GroupError, match=message):
        permissions.parse(data)
    with pytest.raises(GroupError, match="JSON"):
        permissions.parse_json("{not json")


def test_names_are_matched_case_insensitively_and_wildcards_work():
    p = permissions.parse({
        "search": {"services": ["navne3", "stam+"]},
        "maintenance": {"services": ["address:*", "*:undo"], "scope": "own_municipality"},
        "event": {"services": ["a01"]},
    })
    assert p.grants[Kind.SEARCH].services == ("navne3", "Stam+")  # the catalogue's spelling
    assert p.allows(Kind.SEARCH, "NAVNE3") and p.allows(Kind.SEARCH, "Stam+")
    assert not p.allows(Kind.SEARCH, "STAMP")
    assert p.allows(Kind.EVENT, "A01") and not p.allows(Kind.EVENT, "A21")
    assert p.allows(Kind.MAINTENANCE, "address:correct") and p.allows(Kind.MAINTENANCE, "name:undo")
    assert not p.allows(Kind.MAINTENANCE, "name:correct")
    assert p.grant_for(Kind.MAINTENANCE, "address:earlier").scope is Scope.OWN_MUNICIPALITY
    assert not p.allows(Kind.SUBSCRIPTION, "SF6002")
    assert Grant(("*",)).covers("anything")


PROBES = [
    (Kind.SEARCH, "STAMP"), (Kind.SEARCH, "Stam+"), (Kind.SEARCH, "Familie+"), (Kind.SEARCH, "ADRSOG1"),
    (Kind.SEARCH, "NVNSOG2"), (Kind.EVENT, "A01"), (Kind.EVENT, "A21"), (Kind.EVENT, "B31"),
    (Kind.EVENT, "A14"), (Kind.EVENT, "A34"), (Kind.EVENT, "P02"), (Kind.MAINTENANCE, "address:correct"),
    (Kind.MAINTENANCE, "church:undo"), (Kind.MAINTENANCE, "pnr:correct"), (Kind.SUBSCRIPTION, "SF6002"),
]

#: What each default group may use among PROBES (everything else is refused).
EXPECTED = {
    "cpr-office": set(PROBES),
    "municipality": {(Kind.SEARCH, "STAMP"), (Kind.SEARCH, "Stam+"), (Kind.SEARCH, "Familie+"),
                     (Kind.SEARCH, "ADRSOG1"), (Kind.SEARCH, "NVNSOG2"), (Kind.EVENT, "A01"),
                     (Kind.MAINTENANCE, "address:correct")},
    "church-office": {(Kind.SEARCH, "Stam+"), (Kind.SEARCH, "Familie+"), (Kind.SEARCH, "NVNSOG2"),
                      (Kind.EVENT, "A21"), (Kind.EVENT, "B31"), (Kind.EVENT, "A14"), (Kind.EVENT, "A34"),
                      (Kind.MAINTENANCE, "church:undo")},
    "citizen": {(Kind.EVENT, "A01")},
    "private-company": {(Kind.SEARCH, "STAMP")},
    "subscriber-system": {(Kind.SUBSCRIPTION, "SF6002")},
}


def test_default_groups_grant_exactly_what_they_should():
    groups = {g.name: g for g in default_groups()}
    assert set(groups) == set(EXPECTED) == {name for name, _, _ in DEFAULT_GROUPS}
    actual = {name: {p for p in PROBES if g.permissions.allows(*p)} for name, g in groups.items()}
    assert actual == EXPECTED
    assert groups["citizen"].permissions.pending_only
    assert {n for n, g in groups.items() if g.permissions.protected_addresses} == {
        "cpr-office", "municipality", "church-office"}
    assert groups["municipality"].permissions.grant_for(Kind.EVENT, "A01").scope is Scope.OWN_MUNICIPALITY
    assert json.loads(groups["private-company"].permissions.to_json())["search"] == {
        "services": ["STAMP"], "scope": "all"}


def test_kvit_codes_carry_danish_texts():
    assert (Kvit.SIGNON_OK.code, Kvit.SIGNON_OK.text) == (900, "Signon udført")
    assert (Kvit.TOKEN_UNKNOWN.code, Kvit.TOKEN_UNKNOWN.text) == (901, "Token kendes ikke")
    assert (Kvit.PASSWORD_WRONG.code, Kvit.PASSWORD_WRONG.text) == (905, "Ugyldig kodeord indtastet")
    assert [k.code for k in Kvit if 900 <= k.code <= 908] == list(range(900, 909))
    assert Kvit.of(172) is Kvit.PERSON_NOT_FOUND
    assert Kvit.AUTHORITY_UNKNOWN.format("1234") == "Myndighedskode 1234 kan ikke findes"
