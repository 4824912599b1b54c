"""Packaged reference data: authorities, municipalities, postal codes, roads."""

from __future__ import annotations

import datetime

from opencpr.domain import reference as ref
from opencpr.domain import roadgen


def test_authority_table() -> None:
    table = ref.authorities()
    assert len(table) == 3387
    assert all(len(a.code) == 4 and a.code.isdigit() and len(a.type) == 2 for a in table.values())
    aalborg = ref.authority("0851")
    assert aalborg is not None
    assert (aalborg.name, aalborg.type, aalborg.valid_to) == ("Aalborg", "05", None)
    assert aalborg.address_lines[-1] == "9000 Aalborg"
    assert ref.authority(851) == aalborg
    assert ref.authority("1234") is None


def test_parser_is_tolerant() -> None:
    lines = [
        "00037071620120702\n",
        "001" + "0851" + "05" + "0" + "200606291349" + "99313131" + "199105281200" + "0" * 12 + "Aalborg\r\n",
        "002108140 0851200802201019",
        "",
        "99900000003",
    ]
    table = ref.parse_authority_table(lines)
    assert table.production_date == "2012-07-02"
    a = table.authorities["0851"]
    assert (a.name, a.long_name, a.address_lines, a.country_alpha2) == ("Aalborg", "", (), "")
    assert (a.valid_from, a.timestamp, a.phone) == ("1991-05-28", "2006-06-29T13:49", "99313131")
    assert table.links == {"0851": {"40": "1081"}}


def test_current_municipalities() -> None:
    current = ref.municipalities()
    assert len(current) == 98
    assert all(a.type == ref.MUNICIPALITY for a in current)
    codes = [a.code for a in current]
    assert "0101" in codes and "0851" in codes
    assert "0411" not in codes  # Christiansø
    assert len(ref.municipalities(greenland=True)) == 103
    # before the 2007 reform the old municipalities existed too
    assert "0157" in [a.code for a in ref.municipalities(datetime.date(2006, 6, 1))]
    old = ref.authority("0201", on=datetime.date(2006, 6, 1))
    assert old is not None
    assert ref.is_municipality("0411") and ref.is_municipality("0955")
    assert not ref.is_municipality("5100")


def test_municipality_info_and_regions() -> None:
    infos = ref.municipality_infos()
    assert len(infos) == 98
    assert [m.code for m in infos] == [a.code for a in ref.municipalities()]
    for m in infos:
        a = ref.authority(m.code)
        assert a is not None and a.name == m.name
        # the region agrees with the authority table's own link to the type-40 authority
        assert ref.authority_links(m.code)["40"] == m.region_code
        assert m.population > 1000
    aalborg = ref.municipality_info("0851")
    assert aalborg is not None
    assert (aalborg.name, aalborg.region_code) == ("Aalborg", "1081")
    assert ref.region_of("0101") == "1084"
    assert ref.regions() == {
        "1081": "Region Nordjylland",
        "1082": "Region Midtjylland",
        "1083": "Region Syddanmark",
        "1084": "Region Hovedstaden",
        "1085": "Region Sjælland",
    }
    assert 5_500_000 < sum(m.population for m in infos) < 6_500_000


def test_countries() -> None:
    assert ref.is_country("5100")
    denmark = ref.authority(ref.DENMARK)
    assert denmark is not None
    assert (denmark.name, denmark.country_alpha2, denmark.country_alpha3, denmark.country_num3) == (
        "Danmark",
        "DK",
        "DNK",
        "208",
    )
    assert {"5100", "5120", "5180"} <= {c.code for c in ref.countries()}
    assert not ref.is_country("0851")


def test_postal_codes() -> None:
    codes = ref.postal_codes()
    assert len(codes) == 1159
    assert ref.postal_district("9000") == "Aalborg"
    assert codes["9000"].municipality == "0851"
    assert ref.postal_district(2100) == "København Ø"
    assert ref.postal_district("0001") == ""
    current = {m.code for m in ref.municipality_infos()}
    for p in codes.values():
        assert len(p.code) == 4 and p.code.isdigit()
        assert 0 < len(p.district) <= 20
        assert p.municipality in current
    for m in current:
        assert ref.postal_codes_of(m, street_only=True), m
    assert "9000" in [p.code for p in ref.postal_codes_of("0851")]
    assert not codes["9100"].street_addresses  # post-office boxes


def test_roads() -> None:
    total = 0
    for m in ref.municipality_infos():
        roads = ref.roads(m.code)
        assert len(roads) >= roadgen.MIN_ROADS, m.code
        total += len(roads)
        road_codes = [r.code for r in roads]
        assert len(set(road_codes)) == len(road_codes)
        assert all("0001" <= c <= "9899" for c in road_codes)
        names = [r.name for r in roads]
        assert len(set(names)) == len(names)
        assert all(0 < len(n) <= 20 for n in names)
        postal = {p.code for p in ref.postal_codes_of(m.code)}
        for r in roads:
            assert r.municipality == m.code
            assert r.postal_code in postal
            assert r.max_odd % 2 == 1 and r.max_even % 2 == 0
            assert r.house_numbers()[0] == 1
    assert 40_000 <= total <= 60_000
    assert len(ref.roads("0101")) > len(ref.roads("0825"))
    first = ref.roads("0851")[0]
    assert ref.road("851", int(first.code)) == first
    assert ref.road("0851", "9999") is None
    assert ref.roads("9999") == []


def test_road_file_is_reproduced_by_generator() -> None:
    assert roadgen.render_csv(roadgen.generate_roads()) == ref.read_data_text(ref.ROAD_FILE)


def test_house_numbers() -> None:
    road = ref.Road("0851", "0001", "Testvej", "9000", 5, 0)
    assert road.house_numbers() == [1, 3, 5]
    assert ref.Road("0851", "0001", "Testvej", "9000", 3, 4).house_numbers() == [1, 2, 3, 4]
