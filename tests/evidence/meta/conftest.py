"""Published datasets used as reference checks, offered to the tests as fixtures.

BCG vaccine trials (Colditz et al. 1994, JAMA 271:698-702), as `dat.bcg` in R's metafor/metadat:
tpos/tneg = TB cases/non-cases among vaccinated, cpos/cneg among unvaccinated. Arm sizes below are
tpos+tneg and cpos+cneg. Rows as printed in metafor's documentation (e.g. the van Houwelingen 2002
analysis page, metafor-project.org/doku.php/analyses:vanhouwelingen2002).

Normand (1999, Stat Med 18:321-359), `dat.normand1999`: length of hospital stay (days) for stroke
patients, specialist (arm 1) versus routine care (arm 2); 9 studies.

CLASP example (DerSimonian & Kacker 2007, Contemp Clin Trials 28:105-114), counts as entered in
metafor's test file tests/testthat/test_analysis_example_dersimonian2007.r.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

BCG_LABELS = [
    "Aronson 1948",
    "Ferguson & Simes 1949",
    "Rosenthal 1960",
    "Hart & Sutherland 1977",
    "Frimodt-Moller 1973",
    "Stein & Aronson 1953",
    "Vandiviere 1973",
    "TPT Madras 1980",
    "Coetzee & Berjak 1968",
    "Rosenthal 1961",
    "Comstock 1974",
    "Comstock & Webster 1969",
    "Comstock 1976",
]
BCG_TPOS = [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27]
BCG_TNEG = [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886]
BCG_CPOS = [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29]
BCG_CNEG = [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825]
BCG_N1 = [a + b for a, b in zip(BCG_TPOS, BCG_TNEG, strict=True)]
BCG_N2 = [a + b for a, b in zip(BCG_CPOS, BCG_CNEG, strict=True)]

NORMAND_LABELS = [
    "Edinburgh",
    "Orpington-Mild",
    "Orpington-Moderate",
    "Orpington-Severe",
    "Montreal-Home",
    "Montreal-Transfer",
    "Newcastle",
    "Umea",
    "Uppsala",
]
NORMAND_N1 = [155, 31, 75, 18, 8, 57, 34, 110, 60]
NORMAND_M1 = [55, 27, 64, 66, 14, 19, 52, 21, 30]
NORMAND_SD1 = [47, 7, 17, 20, 8, 7, 45, 16, 27]
NORMAND_N2 = [156, 32, 71, 18, 13, 52, 33, 183, 52]
NORMAND_M2 = [75, 29, 119, 137, 18, 18, 41, 31, 23]
NORMAND_SD2 = [64, 4, 29, 48, 11, 4, 34, 27, 20]

CLASP_N1 = [156, 303, 565, 1570, 103, 4659]
CLASP_N2 = [74, 303, 477, 1565, 105, 4650]
CLASP_A = [5, 5, 12, 69, 9, 313]
CLASP_C = [8, 17, 9, 94, 11, 352]


@dataclass(frozen=True)
class BinaryData:
    labels: list[str]
    events_treatment: Sequence[int]
    n_treatment: Sequence[int]
    events_control: Sequence[int]
    n_control: Sequence[int]


@dataclass(frozen=True)
class ContinuousData:
    labels: list[str]
    mean_treatment: Sequence[float]
    sd_treatment: Sequence[float]
    n_treatment: Sequence[int]
    mean_control: Sequence[float]
    sd_control: Sequence[float]
    n_control: Sequence[int]


@pytest.fixture
def bcg() -> BinaryData:
    return BinaryData(BCG_LABELS, BCG_TPOS, BCG_N1, BCG_CPOS, BCG_N2)


@pytest.fixture
def normand() -> ContinuousData:
    return ContinuousData(
        NORMAND_LABELS, NORMAND_M1, NORMAND_SD1, NORMAND_N1, NORMAND_M2, NORMAND_SD2, NORMAND_N2
    )


@pytest.fixture
def clasp() -> BinaryData:
    return BinaryData([f"CLASP {i + 1}" for i in range(6)], CLASP_A, CLASP_N1, CLASP_C, CLASP_N2)
