"""Danish folding for searches: Python and the PostgreSQL expression fold alike."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from opencpr.domain.folding import FOLDING, fold, fold_words, sql_fold, words_text


@pytest.mark.parametrize(("raw", "folded"), [
    ("Åbenrå", "aabenraa"),
    ("Aabenraa", "aabenraa"),
    ("AABENRAA", "aabenraa"),
    ("Ærø", "aeroe"),
    ("Jørgen Østerholm", "joergen oesterholm"),
    ("Hülpers", "hulpers"),
    ("José Ñuñez", "jose nunez"),
    ("Sörensen", "soerensen"),
    ("Bräuner", "braeuner"),
    ("Strauß", "strauss"),
    ("Dahl-Eriksen", "dahl eriksen"),
    ("O'Neill", "oneill"),
    ("  Peter   Hyldegård  ", "peter hyldegaard"),
    ("Anne-Birgitte  M. Wicker", "anne birgitte m wicker"),
    ("", ""),
    (None, ""),
])
def test_fold(raw, folded):
    assert fold(raw) == folded


def test_aa_and_aa_letter_are_the_same():
    assert fold("Hyldegård") == fold("Hyldegaard")
    assert fold("Århus") == fold("Aarhus")


def test_words_and_stored_form():
    assert fold_words("Jens Peter-Mortensen") == ["jens", "peter", "mortensen"]
    assert words_text("Jens Peter", None, "Mortensen") == " jens peter mortensen "
    assert words_text(None, "") == " "


def test_table_covers_upper_and_lower_case():
    for lower, upper in (("æ", "Æ"), ("ø", "Ø"), ("å", "Å"), ("é", "É"), ("ü", "Ü")):
        assert FOLDING[lower] == FOLDING[upper]


_SAMPLES = ["Åbenrå", "ÆRØ-Østergaard", "Hülpers", "José  Ñuñez", "O'Neill", "Strauß", " Bräuner ", "Zoë Łukasz",
            "Dahl-Eriksen", ""]


def test_postgresql_folds_like_python(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("the SQL folding expression is PostgreSQL's")
    with engine.connect() as conn:
        for raw in _SAMPLES:
            got = conn.execute(text(f"SELECT {sql_fold(':raw')}"), {"raw": raw}).scalar_one()
            assert got == fold(raw), raw


def test_postgresql_folds_any_text_like_python(engine):
    """Every character of the table, upper and lower case, separators, dropped characters and
    characters outside the table, in any order: the SQL expression folds as Python does."""
    if engine.dialect.name != "postgresql":
        pytest.skip("the SQL folding expression is PostgreSQL's")
    alphabet = "".join(FOLDING) + "abcdefghijklmnopqrstuvwxyz  0123456789ÿЖ中"
    expression = text(f"SELECT {sql_fold(':raw')}")

    with engine.connect() as conn:
        @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
        @given(st.text(alphabet=alphabet, max_size=40))
        def folds_alike(raw: str) -> None:
            assert conn.execute(expression, {"raw": raw}).scalar_one() == fold(raw)

        folds_alike()
