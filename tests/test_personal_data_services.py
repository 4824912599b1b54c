"""The by-PNR lookups of personal data (NAVNE, OVERSIGT, START, SEPARATION, STATSB, SUPLADR,
TIDLPNR, VALG, VALGRET, VAERGE) through GCTP and REST on CPR's demo persons."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, update

from opencpr.register.schema import citizenship, departure, election, guardianship, name
from opencpr.services.catalogue import find
from opencpr.services.lookups.election import VoterFacts, voting_right

NOT_IN_REGISTER = "0505700007"  # a valid PNR no demo person has
MALFORMED = "0707614286"  # fails the modulus 11 check

#: The services these tests cover (declared in opencpr.services.lookups: names, overview,
#: master_data, civil_status, citizenship, addresses, election and guardianship).
SERVICES = tuple(find(n) for n in ("NAVNE", "OVERSIGT", "START", "SEPARATION", "STATSB", "SUPLADR", "TIDLPNR",
                                   "VALG", "VALGRET", "VAERGE"))


def _row(answer: dict, i: int = 0) -> dict[str, str | None]:
    """Row ``i`` of a GCTP table answer as field -> value."""
    return {k: f.get("v") for k, f in answer["rows"][i]["fields"].items()}


def _texts(answer: dict, i: int = 0) -> dict[str, str | None]:
    return {k: f.get("t") for k, f in answer["rows"][i]["fields"].items()}


def _ok(answer: dict, service: str) -> None:
    assert answer["kvit"] == {"r": "Ok", "t": "", "v": "0"}, answer["kvit"]
    assert answer["table"] == service
    declared = {f.name for f in find(service).fields}
    for row in answer["rows"]:
        assert set(row["fields"]) == declared  # every declared field, empty ones too


def _records(rest, service: str, pnr: str) -> list[dict]:
    answer = rest.get(f"/api/v1/{find(service).slug}", params={"pnr": pnr})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["service"] == service
    return body["records"]


def test_the_services_are_declared_for_authorities_with_notes():
    for service in SERVICES:
        assert find(service.name) is service
        assert service.table_name == service.name
        assert "cpr-office" in service.groups and "municipality" in service.groups
        assert service.notes == "Designed in CPR's style; not a recorded CPR answer."
        assert all(out.description for out in service.fields)
        # TIDLPNR shows corrected and undone previous PNRs (data maintenance) only when asked
        assert [k.name for k in service.keys] == (["PNR", "KORMRK"] if service.name == "TIDLPNR" else ["PNR"])
    assert "church-office" in find("NAVNE").groups
    assert "church-office" not in find("VAERGE").groups


def test_navne_current_name_first_then_previous_names_newest_first(gctp, rest):
    answer = gctp.call("NAVNE", {"PNR": "0708614866"})
    _ok(answer, "NAVNE")
    assert [r["k"] for r in answer["rows"]] == ["0", "1", "2", "3", "4"]
    first = _row(answer, 0)
    assert first["AKTUELMRK"] == "X"
    assert (first["CNVN_FORNVN"], first["CNVN_EFTERNVN"]) == ("Kate", "Nivarson")
    assert first["CNVN_ADRNVN"] == "Kate Nivarson" and _texts(answer)["CNVN_ADRNVN"] == "Nivarson, Kate"
    assert first["CNVN_STARTDATO"] == "199201121856" and first["CNVN_SLUTDATO"] is None
    annulled = _row(answer, 1)
    assert annulled["AKTUELMRK"] is None
    assert annulled["CNVN_ADRNVN"] == "Gitte Lone Pivarson"
    assert annulled["ANNKOR"] == "A" and _texts(answer, 1)["ANNKOR"] == "Annulleret"
    assert _row(answer, 2)["ANNKOR"] == "K"
    oldest = _row(answer, 4)
    assert oldest["CNVN_FORNVN"] == "Viggo Holger" and oldest["CNVN_EFTERNVN"] == "Hermandsen-Ivarson"
    assert (oldest["CNVN_STARTDATO"], oldest["CNVN_SLUTDATO"]) == ("199201121656", "199201121756")

    uncertain = _row(gctp.call("NAVNE", {"PNR": "0701614038"}), 1)
    assert uncertain["CNVN_EFTERNVN"] == "Nielsen" and uncertain["CNVN_STARTDATOUSM"] == "*"

    records = _records(rest, "NAVNE", "0708614866")
    assert [r["last_name"] for r in records] == [
        "Nivarson", "Pivarson", "Givarson", "Hermandsen Ivarson", "Hermandsen-Ivarson"]
    assert records[0]["current"] is True and records[0]["addressing_name_inverted"] == "Nivarson, Kate"
    assert records[3]["valid_from"] == "1992-01-12T17:56" and records[3]["correction"] is None


def test_oversigt_marks_the_kinds_of_data_a_person_has(gctp, rest):
    answer = gctp.call("OVERSIGT", {"PNR": "0707614285"})
    _ok(answer, "OVERSIGT")
    row = _row(answer)
    assert row["PNR"] == "0707614285" and row["ADRNVN"] == "Jens Mortensen"
    assert row["STATUS"] == "01" and _texts(answer)["STATUS"] == "Aktiv, bopæl i dansk folkeregister"
    assert row["AKTADRMRK"] == row["TIDLADRMRK"] == row["TIDLCIVSTMRK"] == row["SEPMRK"] == "X"
    assert row["ANTALBOERN"] == "1"
    for empty in ("TIDLNVNMRK", "BESKYTMRK", "UDRMRK", "VAERGEMRK", "VALGMRK", "TIDLPNRMRK", "KONTAKTADRMRK"):
        assert row[empty] is None, empty

    guardian = _row(gctp.call("OVERSIGT", {"PNR": "0904414131"}))
    assert guardian["VAERGEFORMRK"] == "X" and guardian["VAERGEMRK"] is None

    record = _records(rest, "OVERSIGT", "0709614738")[0]
    assert record["status"] == "80"
    assert record["has_departure"] is True and record["has_address"] is False
    assert record["has_previous_addresses"] is True
    assert record["has_election_data"] is True and record["has_contact_address"] is True
    assert _records(rest, "OVERSIGT", "0909610028")[0]["has_previous_pnrs"] is True
    assert _records(rest, "OVERSIGT", "0709614495")[0]["has_supplementary_address"] is True


def test_start_gives_pnr_current_pnr_status_and_the_period_of_the_pnr(gctp, rest):
    answer = gctp.call("START", {"PNR": "0101520013"})
    _ok(answer, "START")
    row = _row(answer)
    assert row["PNR"] == "0101520013" and row["PNRGAELD"] == "0107529039"
    assert row["STATUS"] == "50" and _texts(answer)["STATUS"] == "Slettet personnummer ved dobbeltnummer"
    assert row["STARTDATOSTATUS"] == "200111071450"
    assert row["KOEN"] == "M" and _texts(answer)["KOEN"] == "Mand"
    assert row["FOEDDATO"] == "19520101"
    assert (row["STARTDATO"], row["SLUTDATO"]) == ("19970909", "20011107")

    record = _records(rest, "START", "0708614246")[0]
    assert record["current_pnr"] == "0307610078" and record["status"] == "60"
    assert record["start_date"] == "1961-08-07" and record["start_date_uncertain"] is True
    assert _records(rest, "START", "0707614285")[0]["current_pnr"] == "0707614285"


def test_separation_rows_with_the_spouse(gctp, rest):
    answer = gctp.call("SEPARATION", {"PNR": "0707614293"})
    _ok(answer, "SEPARATION")
    row = _row(answer)
    assert row["AKTUELMRK"] == "X" and row["SEP_HENVIS"] == "200808210839"
    assert row["AEGTEPNR"] == "0712614382" and row["AEGTENVN"] == "Karin Henriksen"
    assert row["STARTDATO"] == "20080201" and row["SLUTDATO"] is None

    records = _records(rest, "SEPARATION", "0707614285")
    assert len(records) == 1
    assert records[0]["current"] is False and records[0]["spouse_pnr"] == "0706614184"
    assert (records[0]["valid_from"], records[0]["valid_to"]) == ("1980-08-01", "1980-10-01")
    assert _records(rest, "SEPARATION", "0709614738") == []


def test_statsb_rows_with_country_names(gctp, rest):
    answer = gctp.call("STATSB", {"PNR": "0101965058"})
    _ok(answer, "STATSB")
    current, previous = _row(answer, 0), _row(answer, 1)
    assert current["AKTUELMRK"] == "X" and current["LANDEKOD"] == "5180"
    assert _texts(answer, 0)["LANDEKOD"] == "Tyskland,Forb.Rep"
    assert current["STARTDATO"] == "192001220924"
    assert previous["LANDEKOD"] == "5100" and _texts(answer, 1)["LANDEKOD"] == "Danmark"
    assert previous["ANNKOR"] == "A" and previous["SLUTDATO"] == "199712311028"

    records = _records(rest, "STATSB", "0909610036")
    assert [(r["country"], r["country_name"], r["current"]) for r in records] == [
        ("5110", "Norge", True), ("5100", "Danmark", False)]
    assert records[1]["valid_from_uncertain"] is True


def test_supladr_from_the_current_address(gctp, rest):
    answer = gctp.call("SUPLADR", {"PNR": "0709614495"})
    _ok(answer, "SUPLADR")
    row = _row(answer)
    assert row["MYNKOD"] == "0851" and _texts(answer)["MYNKOD"] == "Aalborg"
    assert row["SUPLADR1"] == "Supplerende adresse linje 11111 11"
    assert row["SUPLADR5"] == "Supplerende adresse linje 5555 555"
    assert (row["STARTDATO"], row["SLETDATO"]) == ("20010222", "20040323")

    record = _records(rest, "SUPLADR", "0706614818")[0]
    assert record["supplementary_authority"] is None
    assert record["supplementary_line2"] == "Supplerende adresse linje 22 22 22"
    assert record["supplementary_start"] == "1997-09-09"
    empty = _records(rest, "SUPLADR", "0707614285")[0]
    assert empty["pnr"] == "0707614285" and empty["supplementary_line1"] is None


def test_tidlpnr_rows(gctp, rest):
    answer = gctp.call("TIDLPNR", {"PNR": "0909610036"})
    _ok(answer, "TIDLPNR")
    row = _row(answer)
    assert row["TIDLPNR"] == "0709614398" and row["STARTDATOUSM"] == "*"
    assert (row["STARTDATO"], row["SLUTDATO"]) == ("19610907", "20011107")

    records = _records(rest, "TIDLPNR", "0107529039")
    assert [(r["old_pnr"], r["valid_from"], r["valid_to"]) for r in records] == [
        ("0101520013", "1997-09-09", "2001-11-07")]
    assert _records(rest, "TIDLPNR", "0707614285") == []


def test_valg_election_records_with_the_election_address(gctp, rest, demo_engine):
    answer = gctp.call("VALG", {"PNR": "0709614738"})
    _ok(answer, "VALG")
    row = _row(answer)
    assert row["VALGKODE"] == "0001" and row["VALGRET_DT"] == "19970909"
    assert (row["STARTDATO"], row["SLETDATO"], row["AKTUELMRK"]) == ("19970909", "19990909", None)
    # emigrated: the last address in Denmark
    assert row["VALGADRMRK"] == "S" and _texts(answer)["VALGADRMRK"] == "Seneste adresse i Danmark"
    assert row["KOMKOD"] == "0851" and _texts(answer)["KOMKOD"] == "Aalborg"
    assert (row["VEJKOD"], row["HUSNR"]) == ("8513", "052 ")

    current = _records(rest, "VALG", "0707614285")
    assert len(current) == 1 and current[0]["election_code"] is None
    assert current[0]["election_address_kind"] == "A"
    assert current[0]["standard_address"] == "Industrivænget 95,1 mf"
    assert (current[0]["postal_code"], current[0]["postal_district"]) == ("9000", "Aalborg")

    with demo_engine.begin() as conn:
        conn.execute(insert(election).values(pnr="0709614738", election_code="0001", voting_right_date="2013-05-01",
                                             valid_from="2013-05-01", valid_to="2015-05-01"))
    records = _records(rest, "VALG", "0709614738")
    assert [(r["valid_from"], r["in_force"]) for r in records] == [("2013-05-01", True), ("1997-09-09", False)]


def test_valgret_for_danes_children_foreigners_and_persons_under_guardianship(gctp, rest, demo_engine):
    answer = gctp.call("VALGRET", {"PNR": "0707614285"})
    _ok(answer, "VALGRET")
    row, texts = _row(answer), _texts(answer)
    assert row["OPGDATO"] == "20141027" and row["ALDER"] == "53"
    assert row["LANDEKOD"] == "5100" and texts["LANDEKOD"] == "Danmark"
    assert (row["FTVALGRET"], row["KRVALGRET"]) == ("J", "J")
    assert texts["FTVALGRET"] == "Valgret: dansk indfødsret og fast bopæl i riget"

    child = _row(gctp.call("VALGRET", {"PNR": "0909970016"}))
    assert child["ALDER"] == "17" and (child["FTVALGRET"], child["KRVALGRET"]) == ("N", "N")

    ward = gctp.call("VALGRET", {"PNR": "0709614126"})  # under guardianship since 2000; the day is in 2014
    assert _row(ward)["UMYNDIGMRK"] == "X"
    assert (_row(ward)["FTVALGRET"], _row(ward)["KRVALGRET"]) == ("N", "N")
    assert _texts(ward)["FTVALGRET"] == "Under værgemål med fratagelse af den retlige handleevne"

    norwegian = _records(rest, "VALGRET", "0909610036")[0]
    assert norwegian["general_election"] == "N" and norwegian["general_election_reason"] == "Ikke dansk indfødsret"
    assert norwegian["municipal_election"] == "J"
    assert norwegian["municipal_election_reason"] == "Valgret: statsborger i Island eller Norge"
    german = _records(rest, "VALGRET", "0101965058")[0]
    assert german["municipal_election_reason"] == "Valgret: statsborger i et EU-land"

    emigrated = _records(rest, "VALGRET", "0709614738")[0]
    assert emigrated["general_election"] == "N" and emigrated["general_election_reason"] == "Ikke fast bopæl i riget"
    with demo_engine.begin() as conn:
        conn.execute(insert(election).values(pnr="0709614738", election_code="0001", voting_right_date="2013-05-01",
                                             valid_from="2013-05-01", valid_to="2015-05-01"))
        conn.execute(update(citizenship).where(citizenship.c.pnr == "0101965058", citizenship.c.current.is_(True))
                     .values(country="5390"))
    abroad = _records(rest, "VALGRET", "0709614738")[0]
    assert abroad["general_election"] == "J" and abroad["municipal_election"] == "N"
    assert abroad["general_election_reason"] == "Valgret: optaget på valgliste under ophold i udlandet"
    assert abroad["election_code"] == "0001" and abroad["voting_right_date"] == "2013-05-01"
    american = _records(rest, "VALGRET", "0101965058")[0]  # entered Denmark 1997-09-09
    assert american["country_name"] == "USA" and american["resident_since"] == "1997-09-09"
    assert american["municipal_election"] == "J"
    assert american["municipal_election_reason"] == "Valgret: 4 års uafbrudt fast bopæl i riget"


def _facts(**changes) -> VoterFacts:
    base = {"birth_date": dt.date(1980, 5, 1), "status": "01", "country": "5100", "resident_since": None,
            "deprived_of_capacity": False, "on_electoral_roll_abroad": False}
    return VoterFacts(**(base | changes))


def test_voting_right_rule():
    day = dt.date(2021, 11, 16)
    assert voting_right(_facts(), day)[::2] == (True, True)
    assert voting_right(_facts(birth_date=dt.date(2003, 11, 16)), day)[::2] == (True, True)  # 18 on the day
    assert voting_right(_facts(birth_date=dt.date(2003, 11, 17)), day)[::2] == (False, False)
    # Greenland: general elections, not Danish municipal ones
    assert voting_right(_facts(status="05"), day)[::2] == (True, False)
    # guardianship: no general vote; the municipal vote since 1 July 2016
    assert voting_right(_facts(deprived_of_capacity=True), day)[::2] == (False, True)
    assert voting_right(_facts(deprived_of_capacity=True), dt.date(2016, 6, 30))[::2] == (False, False)
    # other foreigners: four years of residence
    us = {"country": "5390"}
    assert voting_right(_facts(**us, resident_since=dt.date(2017, 11, 16)), day)[2:] == (
        True, "Valgret: 4 års uafbrudt fast bopæl i riget")
    assert voting_right(_facts(**us, resident_since=dt.date(2017, 11, 17)), day)[2:] == (
        False, "Mindre end 4 års uafbrudt fast bopæl i riget")
    # EU citizens by membership on the day; the British by residence since before 1 February 2020
    croatian = _facts(country="5750", resident_since=dt.date(2012, 1, 1))
    assert voting_right(croatian, dt.date(2013, 6, 30))[2] is False
    assert voting_right(croatian, dt.date(2013, 7, 1))[2] is True
    assert voting_right(_facts(country="5170", resident_since=dt.date(2019, 1, 1)), day)[3] == (
        "Valgret: statsborger i et EU-land")
    assert voting_right(_facts(country="5170", resident_since=dt.date(2020, 6, 1)), day)[2] is False
    # a Dane abroad votes in general elections while on the electoral roll
    assert voting_right(_facts(status="80", on_electoral_roll_abroad=True), day)[::2] == (True, False)
    assert voting_right(_facts(status="80"), day)[::2] == (False, False)


def test_vaerge_the_guardian_and_the_wards(gctp, rest, demo_engine):
    answer = gctp.call("VAERGE", {"PNR": "0709614126"})
    _ok(answer, "VAERGE")
    row, texts = _row(answer), _texts(answer)
    assert row["PNR"] == "0709614126" and row["ROLLE"] == "U" and row["AKTUELMRK"] == "X"
    assert row["UMYN_RELTYP"] == "0001" and texts["UMYN_RELTYP"] == "Værge med personnummer"
    assert row["RELPNR"] == "0904414131" and row["RELADRSAT"] == "Gunnar Holgersen"
    assert row["STARTDATO"] == "20000228" and row["SLETDATO"] is None

    by_address = _row(gctp.call("VAERGE", {"PNR": "0909610028"}))
    assert by_address["UMYN_RELTYP"] == "0002" and by_address["RELPNR"] is None
    assert by_address["RELADRSAT"] == "Dieter Planckhardt"
    assert (by_address["RELTXT1"], by_address["RELTXT3"]) == ("Dresdener Allé 33", "Tyskland")
    assert by_address["SLETDATO"] == "20090701" and by_address["AKTUELMRK"] is None

    wards = _records(rest, "VAERGE", "0904414131")
    assert [(r["pnr"], r["role"], r["ward_name"]) for r in wards] == [("0709614126", "V", "Annette Ingdahl")]

    with demo_engine.begin() as conn:  # the guardian under guardianship too
        conn.execute(insert(guardianship).values(pnr="0904414131", valid_from="2010-01-01",
                                                         relation_type="0000"))
    both = _records(rest, "VAERGE", "0904414131")
    assert [(r["pnr"], r["role"]) for r in both] == [("0904414131", "U"), ("0709614126", "V")]
    assert both[0]["relation_type_text"] == "Værge ikke registreret i CPR"


def test_names_of_previous_rows_are_joined_when_there_is_no_addressing_name(rest, demo_engine):
    with demo_engine.begin() as conn:
        conn.execute(insert(name).values(pnr="0707614285", first_name="Jens", middle_name="Peter",
                                         last_name="Hansen", valid_from="1960-01-01T12:00",
                                         valid_to="1961-07-07T20:00", current=False))
    records = _records(rest, "NAVNE", "0707614285")
    assert records[1]["addressing_name"] == "Jens Peter Hansen"
    assert records[1]["addressing_name_inverted"] == "Hansen, Jens Peter"


def test_bad_keys_of_every_service(gctp, rest):
    for service in (s.name for s in SERVICES):
        assert gctp.call(service, {"PNR": NOT_IN_REGISTER})["kvit"]["v"] == "172", service
        assert gctp.call(service, {"PNR": MALFORMED})["kvit"]["v"] == "52", service
        assert gctp.call(service, {"PNR": "0707614285", "XYZ": "1"})["kvit"]["v"] == "16", service
        slug = f"/api/v1/{find(service).slug}"
        for params, status, kvit in (({"pnr": NOT_IN_REGISTER}, 404, 172), ({"pnr": MALFORMED}, 400, 52),
                                     ({"pnr": "0707614285", "xyz": "1"}, 400, 16)):
            answer = rest.get(slug, params=params)
            assert (answer.status_code, answer.json()["kvit"]) == (status, kvit), (service, params)


def test_departure_entry_restarts_the_residence(rest, demo_engine):
    with demo_engine.begin() as conn:
        conn.execute(update(citizenship).where(citizenship.c.pnr == "0101965058", citizenship.c.current.is_(True))
                     .values(country="5390"))
        conn.execute(insert(departure).values(pnr="0101965058", exit_country="5390", valid_from="2011-01-01T12:00",
                                              valid_to="2012-03-01T12:00", current=False))
    record = _records(rest, "VALGRET", "0101965058")[0]
    assert record["resident_since"] == "2012-03-01" and record["municipal_election"] == "N"


def test_supplementary_and_election_addresses_are_blank_under_protection_for_groups_without_access(
        demo_engine, clock):
    from opencpr.access.groups import Permissions, SecurityGroup
    from opencpr.register.schema import protection
    from opencpr.services.contract import Actor
    from opencpr.services.gate import Gate

    group = SecurityGroup("test-no-protected", "Test", Permissions.from_dict(
        {"search": {"services": ["SUPLADR", "VALG"], "scope": "all"}}))
    actor = Actor("user", group, "0851", user_code="TEST1")
    gate = Gate(demo_engine, clock)
    with demo_engine.begin() as conn:
        conn.execute(insert(protection).values(pnr="0709614495", protection_type="0001", valid_from="2010-01-01"))
    supplementary = gate.call(actor, find("SUPLADR").spec, pnr="0709614495").records[0]
    assert supplementary["supplementary_authority"] == "0851"
    assert [supplementary[f"supplementary_line{n}"] for n in range(1, 6)] == [None] * 5
    place = gate.call(actor, find("VALG").spec, pnr="0709614495").records[0]
    assert place["municipality"] is None and place["road"] is None and place["standard_address"] is None
    unprotected = gate.call(actor, find("SUPLADR").spec, pnr="0706614818").records[0]
    assert unprotected["supplementary_line1"] == "Supplerende adresse linje 1 1 1 11"
