"""CPR's flags: one parser for the service keys (AKX, KORMRK …) and the events' data fields."""

from __future__ import annotations

import pytest

from opencpr.domain.events.base import INVALID, DataField, FieldKind, parse_value
from opencpr.domain.flags import parse_flag
from opencpr.services.catalogue import Key, KeyType
from opencpr.services.errors import InvalidKey

TRUE = ["X", "x", " X ", "J", "ja", "JA", "Y", "yes", "1", "true", "True", "*"]
FALSE = ["", " ", "N", "nej", "NEJ", "no", "0", "false", "FALSE"]
NOT_FLAGS = ["2", "maybe", "XX", "-", "sand"]


@pytest.mark.parametrize("text", TRUE)
def test_true_spellings(text):
    assert parse_flag(text) is True


@pytest.mark.parametrize("text", FALSE)
def test_false_spellings(text):
    assert parse_flag(text) is False


@pytest.mark.parametrize("text", NOT_FLAGS)
def test_anything_else_is_not_a_flag(text):
    assert parse_flag(text) is None


KEY = Key("AKX", "all", KeyType.FLAG)
FIELD = DataField("FAELLESMYN", "joint_authority", FieldKind.FLAG)


@pytest.mark.parametrize("text", TRUE + FALSE)
def test_keys_and_data_fields_read_a_flag_alike(text):
    assert KEY.parse(text) is parse_flag(text)
    assert parse_value(FIELD, text) == (parse_flag(text), None)


def test_none_and_booleans_from_json():
    assert KEY.parse(None) is False and parse_value(FIELD, None) == (False, None)
    assert KEY.parse(True) is True and parse_value(FIELD, True) == (True, None)
    assert KEY.parse(False) is False and parse_value(FIELD, False) == (False, None)


@pytest.mark.parametrize("text", NOT_FLAGS)
def test_each_caller_refuses_what_is_not_a_flag_its_own_way(text):
    with pytest.raises(InvalidKey) as refused:
        KEY.parse(text)
    assert refused.value.code == 18
    value, problem = parse_value(FIELD, text)
    assert value is None and problem is not None
    assert (problem.code, problem.field) == (INVALID, "FAELLESMYN")
