"""The translation table: every text in both languages, units in axis labels."""

from __future__ import annotations

import string

import pytest

from anwsim.metrics import KPIS
from anwsim.report import labels as L
from anwsim.scenario import ROLES

CATEGORICAL_AXES = {"axis.role", "axis.seh"}


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(L.TEXT))
def test_every_text_in_both_languages(key: str) -> None:
    en, nl = L.TEXT[key]
    assert en.strip() and nl.strip()
    assert _fields(en) == _fields(nl), "both languages take the same placeholders"


def test_axis_labels_carry_units_and_differ_by_language() -> None:
    for key, (en, nl) in L.TEXT.items():
        if not key.startswith("axis.") or key in CATEGORICAL_AXES:
            continue
        assert en.rstrip().endswith(")") and "(" in en, key
        assert nl.rstrip().endswith(")") and "(" in nl, key
        if not _fields(en):
            assert en != nl, key


def test_every_kpi_and_role_has_a_name() -> None:
    for name in KPIS:
        assert L.has(f"kpi.{name}"), name
    for role in ROLES:
        assert L.has(f"role.{role}"), role


def test_lookup() -> None:
    assert L.t("legend.norm", "en", value="15 min") == "norm 15 min"
    assert L.t("base_suffix", "nl", name="S0") == "S0 (basis)"
    assert L.group("role:gp_consult", "nl") == "Huisarts, consulten"
    assert L.group("U2", "nl") == "U2"
    assert L.day(5, "nl") == "za"
    with pytest.raises(ValueError, match="language"):
        L.t("legend.norm", "fr", value="")


def test_numbers_and_durations() -> None:
    assert L.number(1234.56, "en") == "1,234.6"
    assert L.number(1234.56, "nl") == "1.234,6"
    assert L.number(float("nan"), "nl") == "–"
    assert L.minutes(0.5, "en") == "30 s"
    assert L.minutes(15, "en") == "15 min"
    assert L.minutes(180, "nl") == "3 u"
    assert L.minutes(1440, "en") == "24 h"
    assert L.percent(95.26, "nl", 1) == "95,3%"


def test_signed_differences() -> None:
    assert L.signed(0.44, "en") == "+0.4"
    assert L.signed(-0.44, "nl") == "\u22120,4"
    assert L.signed(-0.01, "en") == "0.0"
