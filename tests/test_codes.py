"""Code tables."""

from __future__ import annotations

import pytest

from opencpr.domain import codes
from opencpr.domain.codes import TABLES, CodeTable, Event


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_code_has_a_text(name: str) -> None:
    table = TABLES[name]
    assert table.name == name
    assert table.field
    assert len(table) > 0
    for code in table:
        assert code in table
        assert table.text(code), f"{name} {code!r} has no text"
        assert table.short(code) and table.long(code)
        assert table.get(code) == table.text(code) == table[code]


@pytest.mark.parametrize("name", sorted(TABLES))
def test_unknown_codes(name: str) -> None:
    table = TABLES[name]
    assert table.text("ZZZ9") == ""
    assert table.get("ZZZ9") is None
    assert table.get("ZZZ9", "?") == "?"
    assert "ZZZ9" not in table
    assert 1 not in table
    with pytest.raises(KeyError):
        table["ZZZ9"]
    if "" not in table:
        assert table.text("") == ""
        assert table.text("  ") == ""
        assert table.text(None) == ""
    else:  # blank is a code of its own (ANNKOR, AFLEDTMRK)
        assert table.text(None) == table.text("  ") != ""


def test_lookups() -> None:
    status = codes.PERSON_STATUS
    assert status.text("01") == "Aktiv, bopæl i dansk folkeregister"
    assert status.text("1") == status.text("01")  # SF1520 writes no leading zero
    assert status.text("90") == "Død"
    assert status.long("90") == "Inaktiv, død"
    assert status.short("01") == "Aktiv"
    assert list(status) == ["01", "03", "05", "07", "10", "20", "30", "50", "60", "70", "80", "90"]
    assert set(status) >= codes.ACTIVE_STATUSES

    assert list(codes.CIVIL_STATUS) == list("UGFEPOLD")
    assert codes.CIVIL_STATUS.text("g") == "Gift"
    assert codes.CIVIL_STATUS.text("E") == "Enke/enkemand"
    assert codes.CHURCH.text("F") == "Medlem af folkekirken"
    assert codes.CHURCH.text("U") == "Ikke medlem af folkekirken"
    assert set(codes.CHURCH) == set("FUAMS")
    assert set(codes.CHURCH) >= codes.CHURCH_MEMBER_CODES
    assert codes.PROTECTION.text("0001") == "Navne- og adressebeskyttelse"
    assert codes.PROTECTION.text("00005") == "Kreditadvarsel"  # GCTP writes 5 digits
    assert codes.PARENTAL_AUTHORITY.text("0003") == "Mor"
    assert codes.PARENTAL_AUTHORITY.text("4") == "Far"
    assert list(codes.GUARDIANSHIP_RELATION) == ["0000", "0001", "0002"]
    assert codes.SEX.text("M") == "Mand" and codes.SEX.text("K") == "Kvinde"
    assert codes.CORRECTION.text("K") == "Korrigeret"
    assert codes.CORRECTION.text(" ") == codes.CORRECTION.text("")
    assert "" in codes.CORRECTION
    assert codes.DERIVED_MARKER.text("ÆG") == "Ægtefælle"
    assert dict(codes.SEX.items()) == {"M": "Mand", "K": "Kvinde"}
    assert "CodeTable('sex'" in repr(codes.SEX)


def test_event_codes() -> None:
    event = codes.EVENT
    assert event.text("A01") == "Flytning"
    assert event.text("A21") == "Dødsfald"
    assert event.text("A05") == "Hændelse A05"
    public = [c for c in event if c not in codes.PROJECT_EVENT_CODES and c not in codes.UNNAMED_EVENT_CODES]
    assert len(public) == 36
    assert len(codes.UNNAMED_EVENT_CODES) == 20
    assert all(c in event for c in codes.UNNAMED_EVENT_CODES)
    # this project's codes: B for the handbook's events, R/F/T for data maintenance (correct, undo, earlier)
    assert all(c[0] in "BRFT" for c in codes.PROJECT_EVENT_CODES)
    assert not any(c[0] in "BRFT" for c in public + list(codes.UNNAMED_EVENT_CODES))
    assert all(len(c) == 3 for c in event)  # SF6002 ChangeCode is at most 3 characters


def test_event_enum_matches_table() -> None:
    values = [e.value for e in Event]
    assert len(values) == len(set(values))
    assert all(v in codes.EVENT for v in values)
    named = {c for c in codes.EVENT if c not in codes.UNNAMED_EVENT_CODES}
    assert set(values) == named
    assert Event.BIRTH == "B31"
    assert codes.EVENT.text(Event.NAMING) == "Navngivning"


def test_code_table_rejects_stray_short_texts() -> None:
    with pytest.raises(ValueError):
        CodeTable("x", "X", {"A": "a"}, short={"B": "b"})
