import datetime as dt

import pytest

from kneadwell.reports import words

BORN = dt.date(2025, 3, 31)


@pytest.mark.parametrize(
    ("on", "said"),
    [
        (dt.date(2025, 3, 31), "0 days"),
        (dt.date(2025, 4, 1), "1 day"),
        (dt.date(2025, 4, 20), "2 weeks 6 days"),
        (dt.date(2025, 4, 28), "4 weeks"),
        (dt.date(2025, 6, 30), "2 months"),
        (dt.date(2026, 3, 30), "11 months"),  # a day short of a year
        (dt.date(2027, 5, 1), "2 years 1 month"),
        (dt.date(2045, 4, 1), "20 years"),
    ],
)
def test_ages_are_in_the_unit_people_use(on: dt.date, said: str) -> None:
    assert words.age(BORN, on) == said


def test_a_date_before_the_due_date_says_so() -> None:
    assert words.age(dt.date(2026, 1, 10), dt.date(2026, 1, 1)) == "9 days before the due date"


def test_sds_carry_a_true_minus_sign_and_a_plus() -> None:
    assert words.signed(-1.234) == "−1.23"
    assert words.signed(0.5) == "+0.50"
    assert words.signed(-0.001) == "0.00"


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (0.1, "below the 0.4th"),
        (0.8, "0.8th"),
        (2.0, "2nd"),
        (11.4, "11th"),
        (23, "23rd"),
        (99.3, "99.3th"),
        (99.9, "above the 99.6th"),
        (None, "—"),
    ],
)
def test_centiles_read_as_clinicians_write_them(value: float | None, said: str) -> None:
    assert words.centile(value) == said


def test_a_parent_reads_a_centile_as_a_count_of_children() -> None:
    said = words.centile_plain(24.6, "girls of the same age")
    assert said == "around the 25th centile: of 100 girls of the same age, about 25 would measure less"
    assert "fewer than 1 in 200" in words.centile_plain(0.2, "boys")
    assert words.centile_plain(None, "boys") == ""
