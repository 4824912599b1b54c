"""The written forms of a name (opencpr.domain.names): addressing name and inverted name."""

from __future__ import annotations

import pytest

from opencpr.domain.names import addressing_name, inverted_name


def test_addressing_name_in_full_when_it_fits():
    assert addressing_name("Jens", None, "Mortensen") == "Jens Mortensen"
    assert addressing_name("Jens", "", "Mortensen") == "Jens Mortensen"
    assert addressing_name("Anna Marie", "Holm", "Jensen") == "Anna Marie Holm Jensen"
    # 33 and 34 characters: kept as they are
    assert addressing_name("Anne Sofie", "Brandt", "Vestergaard-Han") == "Anne Sofie Brandt Vestergaard-Han"
    assert addressing_name("Anne Sofie", "Brandt", "Vestergaard-Hans") == "Anne Sofie Brandt Vestergaard-Hans"


def test_long_middle_names_become_initials_of_every_word():
    assert addressing_name("Anna Marie", "Kristine Søndergaard", "Jensen") == "Anna Marie K S Jensen"
    assert addressing_name("Peter", "Bach Holm Kjærsgaard", "Christiansen") == "Peter B H K Christiansen"


def test_then_extra_first_names_become_initials_and_middle_names_go():
    first, middle, last = "Karl Johan Frederik", "Vestergaard", "Rosenkrantz-Lund"
    assert len(f"{first} V {last}") > 34  # too long even with the middle name as an initial
    assert addressing_name(first, middle, last) == "Karl J F Rosenkrantz-Lund"
    assert addressing_name("Marie Louise Charlotte", None, "Schackenborg-Holstein") == "Marie L C Schackenborg-Holstein"


def test_addressing_name_is_cut_at_34_characters():
    last = "Abcdefghijklmnopqrstuvwxyzabcdefghijklmn"  # 40 characters, the longest last name
    name = addressing_name("Jens Peter", "Holm", last)
    assert name == f"Jens P {last}"[:34]
    assert len(name) == 34
    assert len(addressing_name("Bo", None, last)) == 34
    for first, middle, surname in [("Anna Marie Louise", "Bach Holm", last), ("A", "B", "C" * 40), ("Ib", None, "")]:
        assert len(addressing_name(first, middle, surname)) <= 34


def test_addressing_name_without_first_name_does_not_fail():
    last = "Abcdefghijklmnopqrstuvwxyzabcdefghijklmn"
    assert addressing_name("", None, last) == f" {last}"[:34]


def test_inverted_name_with_comma_and_blank():
    form = {"separator": ", "}
    assert inverted_name("Jens", None, "Mortensen", **form) == "Mortensen, Jens"
    assert inverted_name("Anna Marie", "Holm", "Jensen", **form) == "Jensen, Anna Marie Holm"
    assert inverted_name(None, "Holm", "Jensen", **form) == "Jensen, Holm"
    assert inverted_name(None, None, "Jensen", **form) == "Jensen"
    assert inverted_name("", "", "Jensen", **form) == "Jensen"
    # without a last name: the given names, or None
    assert inverted_name("Anna", "Holm", None, **form) == "Anna Holm"
    assert inverted_name("Anna", None, "", **form) == "Anna"
    assert inverted_name(None, None, None, **form) is None
    assert inverted_name("", "", "", **form) is None


def test_inverted_name_with_comma():
    form = {"separator": ","}
    assert inverted_name("Jens", None, "Mortensen", **form) == "Mortensen,Jens"
    assert inverted_name("Anna Marie", "Holm", "Jensen", **form) == "Jensen,Anna Marie Holm"
    assert inverted_name(None, "Holm", "Jensen", **form) == "Jensen,Holm"
    assert inverted_name(None, None, "Jensen", **form) == "Jensen"
    # without a last name: None, whatever the given names
    assert inverted_name("Anna", "Holm", None, **form) is None
    assert inverted_name("Anna", None, "", **form) is None
    assert inverted_name(None, None, None, **form) is None


def test_inverted_name_is_not_shortened():
    last = "Abcdefghijklmnopqrstuvwxyzabcdefghijklmn"
    assert inverted_name("Anna Marie Louise", "Bach", last, separator=",") == f"{last},Anna Marie Louise Bach"


def test_inverted_name_knows_only_the_two_forms():
    with pytest.raises(ValueError):
        inverted_name("Jens", None, "Mortensen", separator=" ")  # type: ignore[arg-type]


@pytest.mark.parametrize("first, middle, last", [
    ("Jens", None, "Mortensen"), ("Anna Marie", "Holm", "Jensen"), (None, "Holm", "Jensen"),
    (None, None, "Jensen"), ("Anna", "Holm", None), ("Anna", None, ""), (None, None, None), ("", "", ""),
])
def test_inverted_name_is_what_the_services_write(first, middle, last):
    """The two forms are those of services/lookup.py (and personal_data.py) and addresses.py."""
    given = " ".join(p for p in (first, middle) if p)
    # lookup.inverted_name and personal_data._inverted
    lookup = (given or None) if not last else (f"{last}, {given}" if given else last)
    # addresses.inverted_name
    addresses = None if not last else (f"{last},{given}" if given else last)
    assert inverted_name(first, middle, last, separator=", ") == lookup
    assert inverted_name(first, middle, last, separator=",") == addresses
