"""Name and address protection, tried from the attacker's side: a group that may not see protected
addresses must learn neither a protected person's address nor their municipality, by value, by a
filter, by a count or by a restart key, through any service.

The attacker is a user of a group with every search service but without ``protected_addresses``
(authority 0101, so that nothing in the answers is the attacker's own municipality). The victim is
Jens Mortensen (0707614285), Industrivænget 95, 1 mf, 9000 Aalborg (municipality 0851), placed
under name and address protection; in some tests his wife at the same address, Kirsten
(0711614354), is dead, so that her last address is his current one.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import insert, update

from opencpr.access.groups import SecurityGroup
from opencpr.access.passwords import CHEAP, Passwords
from opencpr.access.protection import HIDDEN_FIELDS
from opencpr.access.users import actor_for_user, add_user, set_known_password
from opencpr.domain.kvit import KvitError
from opencpr.register.schema import event, person, protection
from opencpr.services import catalogue as cat
from opencpr.services import permissions
from opencpr.services.gate import Gate

JENS = "0707614285"
KIRSTEN = "0711614354"  # his wife, at the same address
HOME = {"VEJK": "8512", "KOMK": "0851", "HNR": "95"}
NAMES = ("Industriv", "Aalborg")  # what would point to Jens's home: in any text
CODES = ("8512", "0851", "9000", "095", "95")  # and as a whole value


def _protect(engine, pnr: str) -> None:
    with engine.begin() as conn:
        conn.execute(insert(protection), {"pnr": pnr, "protection_type": "0001", "valid_from": "2014-01-01",
                                          "valid_to": None})


def _kill(engine, pnr: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(person).where(person.c.pnr == pnr).values(status="90"))


def _attacker(engine, clock) -> str:
    names = [s.name for s in cat.catalogue().values()]
    group = SecurityGroup("attacker", "Alle opslag, ikke beskyttede adresser", permissions.parse(
        {"search": {"services": names, "scope": "all"}, "protected_addresses": False}))
    permissions.save_group(engine, group, by="test", clock=clock)
    cheap = Passwords(CHEAP)
    add_user(engine, "ANGR1", "0101", "attacker", clock=clock, passwords=cheap)
    set_known_password(engine, "ANGR1", "Angr-0101!x", clock=clock, passwords=cheap)
    return "ANGR1"


@pytest.fixture
def attacker(live, demo_engine, clock):
    """A GCTP client of the attacking group, with Jens protected."""
    from live import Gctp

    _protect(demo_engine, JENS)
    code = _attacker(demo_engine, clock)
    client = Gctp(live)
    assert client.signon(code, "Angr-0101!x")["kvit"]["v"] == "900"
    return client


def _pnrs(answer) -> list[str]:
    return [r["fields"]["PNR"]["v"] for r in answer["rows"]]


def _count(client, service: str, keys: dict[str, str]) -> int:
    """The number of hits a search answers with AIA=X (``Table aia=…``)."""
    fields = "".join(f'<Field r="{k}" v="{v}"/>' for k, v in {**keys, "AIA": "X"}.items())
    status, _, raw = client.post(
        '<?xml version="1.0" encoding="ISO-8859-1"?><root xmlns="http://www.cpr.dk"><Gctp v="1.0">'
        f'<System r="CprSoeg"><Service r="{service}"><CprServiceHeader r="{service}"><Key>{fields}</Key>'
        '</CprServiceHeader></Service></System></Gctp></root>', {"content-type": "text/xml"})
    assert status == 200
    return int(re.search(rb'aia="(\d+)"', raw).group(1))


# --- filters, counts and restart keys -----------------------------------------------------------------------

@pytest.mark.parametrize("place", [{"KOMK": "0851"}, {"KOMK": "0101"}, {"LDEL": "1081"}, {"LDEL": "1084"}])
def test_a_place_filter_does_not_select_a_protected_person(attacker, gctp, place):
    # the CPR office finds Jens in his own municipality and region, and not elsewhere
    found = _pnrs(gctp.call("NVNSOG2", {"NVN": "jens mortensen", **place}))
    assert found == ([JENS] if place in ({"KOMK": "0851"}, {"LDEL": "1081"}) else [])
    # the attacker gets the same answer for the right place and the wrong one: nothing
    assert _pnrs(attacker.call("NVNSOG2", {"NVN": "jens mortensen", **place})) == []
    assert _count(attacker, "NVNSOG2", {"NVN": "jens mortensen", **place}) == 0
    # without a place he is found (his name is not protected), with the address blank
    rows = attacker.call("NVNSOG2", {"NVN": "jens mortensen"})["rows"]
    assert [r["fields"]["PNR"]["v"] for r in rows] == [JENS] and "v" not in rows[0]["fields"]["STADR"]


def test_counts_and_pages_agree_for_the_attacker(attacker):
    keys = {"NVN": "jens", "KOMK": "0851", "MAXA": "1"}
    pages, restart = [], None
    for _ in range(50):
        answer = attacker.call("NVNSOG2", {**keys, **({"REST": restart} if restart else {})})
        pages.extend(_pnrs(answer))
        if not answer["rows"]:
            break
        restart = answer["rows"][-1]["k"]
    assert JENS not in pages
    assert _count(attacker, "NVNSOG2", {"NVN": "jens", "KOMK": "0851"}) == len(pages)


def test_a_birth_authority_filter_does_not_select_a_protected_person(attacker, gctp, demo_engine):
    with demo_engine.connect() as conn:
        jens = conn.execute(person.select().where(person.c.pnr == JENS)).mappings().one()
    keys = {"FODT": jens["birth_date"].replace("-", ""), "NVN": "jens"}
    assert JENS in _pnrs(gctp.call("FOEDSOG", keys))
    if jens["birth_authority"]:
        assert JENS in _pnrs(gctp.call("FOEDSOG", {**keys, "FOEDMYN": jens["birth_authority"]}))
        assert _pnrs(attacker.call("FOEDSOG", {**keys, "FOEDMYN": jens["birth_authority"]})) == []
    found = attacker.call("FOEDSOG", keys)["rows"]
    assert [r["fields"]["PNR"]["v"] for r in found] == [JENS]
    assert "v" not in found[0]["fields"]["FOEDMYNTXT"]


# --- values --------------------------------------------------------------------------------------------------

def test_updates_in_an_interval_do_not_name_the_municipality(attacker, gctp, demo_engine):
    # the move into his present home, registered by the municipality he moved to
    with demo_engine.begin() as conn:
        conn.execute(insert(event), {"pnr": JENS, "registered_at": "2013-05-01T10:00:00", "event_code": "A01",
                                     "event_date": "2013-05-01", "authority": "0851"})
    office = gctp.call("AJOURF", {"PNR": JENS, "FRA": "19000101"})["rows"]
    assert any(r["fields"]["MYNKOD"].get("v") for r in office)
    rows = attacker.call("AJOURF", {"PNR": JENS, "FRA": "19000101"})["rows"]
    assert len(rows) == len(office) and rows
    assert all("v" not in r["fields"]["MYNKOD"] for r in rows)


def test_a_dead_spouses_last_address_is_the_survivors_and_is_hidden(attacker, gctp, demo_engine):
    _kill(demo_engine, KIRSTEN)
    # the CPR office sees both at the address
    assert sorted(_pnrs(gctp.call("ADRSOG1", HOME))) == [JENS, KIRSTEN]
    # the attacker finds neither there, nor counts them
    assert _pnrs(attacker.call("ADRSOG1", HOME)) == []
    assert _count(attacker, "ADRSOG1", HOME) == 0
    # and gets Kirsten's records without her last address
    for service in ("ADRESSE1", "Stam+", "VALG"):
        answer = attacker.call(service, {"PNR": KIRSTEN})
        assert answer["kvit"]["v"] == "0", (service, answer["kvit"])
        text = json.dumps(answer, ensure_ascii=False)
        assert "Industriv" not in text and '"8512"' not in text, service


def test_a_living_spouse_without_protection_keeps_her_address(attacker):
    # protection is individual, as in CPR: a household member without it is shown with the address
    assert _pnrs(attacker.call("ADRSOG1", HOME)) == [KIRSTEN]


# --- every service ---------------------------------------------------------------------------------------------

def _sweep(gate: Gate, actor, pnr: str) -> dict[str, list[dict]]:
    """Every catalogue service keyed by a PNR, called for ``pnr``: its records about ``pnr``."""
    answers: dict[str, list[dict]] = {}
    for service in cat.catalogue().values():
        if not any(k.param == "pnr" for k in service.keys):
            continue
        params = {service.key_named(name).param: value for name, value in service.example}
        params["pnr"] = pnr
        if "since" in params:
            params["since"] = "19000101"
        try:
            outcome = gate.call(actor, service.spec, **params)
        except KvitError:
            continue
        answers[service.name] = [r for r in outcome.records if r.get("pnr") == pnr]
    return answers


@pytest.mark.parametrize("dead_spouse", [False, True])
def test_no_service_lets_the_address_or_the_municipality_out(demo_engine, clock, dead_spouse):
    _protect(demo_engine, JENS)
    if dead_spouse:
        _kill(demo_engine, KIRSTEN)
    code = _attacker(demo_engine, clock)
    with Gate(demo_engine, clock, audit_mode="sync", passwords=Passwords(CHEAP)) as gate:
        actor = actor_for_user(demo_engine, code)
        victims = [JENS, KIRSTEN] if dead_spouse else [JENS]
        seen = 0
        for victim in victims:
            for service, records in _sweep(gate, actor, victim).items():
                for record in records:
                    seen += 1
                    shown = {k: v for k, v in record.items() if k in HIDDEN_FIELDS and v not in (None, "")}
                    assert shown == {}, (service, victim, shown)
                    for key, value in record.items():
                        text = json.dumps(value, ensure_ascii=False, default=str)
                        assert not any(t in text for t in NAMES), (service, victim, key, value)
                        assert str(value).strip().lstrip("0") not in {c.lstrip("0") for c in CODES}, (
                            service, victim, key, value)
        assert seen > 20  # the sweep reached the services
