"""The P12170 extract format: layouts, codecs and both physical variants."""

from __future__ import annotations

import io

import pytest

from opencpr.formats.extract import (
    LAYOUTS,
    ExtractError,
    format_record,
    iter_lines,
    parse_record,
    read_records,
)
from opencpr.register.demo import demo_extract_path


def demo_lines() -> list[str]:
    with demo_extract_path().open("rb") as f:
        return [text for _, text in iter_lines(f)]


def test_every_demo_record_round_trips_to_its_full_length():
    lines = demo_lines()
    assert len(lines) == 1100
    for text in lines:
        rec = parse_record(text)
        full = text.ljust(LAYOUTS[rec.record_type].length)
        assert format_record(rec.record_type, rec.pnr, rec.values) == full


def test_values_are_decoded_as_the_register_stores_them():
    rec = parse_record("0010101965058          01000000000000 K1896-01-01 1997-09-09            Pensionist")
    assert rec.pnr == "0101965058"
    assert rec.values["status"] == "01"
    assert rec.values["status_date"] is None  # all zeros: no value
    assert rec.values["sex"] == "K"
    assert rec.values["birth_date"] == "1896-01-01"
    assert rec.values["birth_date_uncertain"] is False
    assert rec.values["occupation"] == "Pensionist"
    addr = parse_record("002301299500708518512002 02  th                                      "
                        "199906301637 199906301637 0000000000000000 0000")
    assert addr.values["municipality"] == "0851"
    assert addr.values["door"] == "  th"  # leading blanks are part of the value
    assert addr.values["valid_from"] == "1999-06-30T16:37"
    assert addr.values["from_municipality"] is None
    name = parse_record("0260701614038 " + "Asta".ljust(50) + " " + " " * 40 + " " + "Nielsen".ljust(40)
                        + " " + "196100001299*198105052000")
    assert name.values["valid_from"] == "1961-00-00T12:99"  # incomplete dates are kept as they are
    assert name.values["valid_from_uncertain"] is True
    assert name.values["correction"] is None


def test_continuous_stream_reads_the_same_records():
    lines = demo_lines()
    padded = [t.ljust(LAYOUTS[t[:3]].length) for t in lines]
    stream = io.BytesIO("".join(padded).encode("iso-8859-1"))
    records = list(read_records(stream))
    assert [r.record_type for r in records] == [t[:3] for t in lines]
    assert [r.pnr for r in records] == [parse_record(t).pnr for t in lines]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0770101965058", "unknown record type"),
        ("0010101965058          0X000000000000 K1896-01-01", "field STATUS (position 24): not numeric"),
        ("0010101965058          01000000000000?K1896-01-01", "STATUSDTO_UMRK"),
        ("001010196505           01000000000000 K1896-01-01", "PNR"),
        ("0230101965058X08518511016", "correction marker"),
        ("009010196505851801234567890123456789012345678901234567890X", "layout has 37"),
    ],
)
def test_malformed_records_name_line_type_and_field(text, reason):
    with pytest.raises(ExtractError) as err:
        parse_record(text, line=7)
    assert "line 7" in str(err.value)
    assert reason in str(err.value)


def test_every_layout_adds_up():
    for record_type, layout in LAYOUTS.items():
        last = layout.fields[-1]
        assert last.start + last.length == layout.length, record_type
