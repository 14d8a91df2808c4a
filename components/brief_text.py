"""The brief's fixed wording, its sources, its style sheet, and registry entries in words.

Plain text only: :mod:`components.brief` escapes everything it places in the
page, these constants included. Nothing here quotes a number of a run.
"""

from __future__ import annotations

import shlex
from typing import Any

from specs import Entry, Spec

TITLE = "Who gets labelled? A brief on one simulated labelling run"

NIST_RMF = (
    "National Institute of Standards and Technology (2023). Artificial Intelligence Risk "
    "Management Framework (AI RMF 1.0). NIST AI 100-1. https://doi.org/10.6028/NIST.AI.100-1"
)
NIST_1270 = (
    "Schwartz, R., Vassilev, A., Greene, K., Perine, L., Burt, A. & Hall, P. (2022). "
    "Towards a standard for identifying and managing bias in artificial intelligence. "
    "NIST Special Publication 1270."
)
PHILLIPS = (
    "Phillips, R., Chang, K. H. & Friedler, S. A. (2018). Interpretable active learning. "
    "FAT* (uncertainty bias)."
)
WILSON = (
    "Wilson, E. B. (1927). Probable inference, the law of succession, and statistical "
    "inference. JASA 22(158). Newcombe, R. G. (1998). Interval estimation for the difference "
    "between independent proportions: comparison of eleven methods. Statistics in Medicine 17(8)."
)

CHARACTERISTIC = "Fair \u2013 with harmful bias managed"
STAGE = "Collect and process data: which cases are selected for a human label, and how"

FRAMING = (
    "The NIST AI Risk Management Framework counts \u201cfair \u2013 with harmful bias "
    "managed\u201d among the characteristics of trustworthy AI. The risk read here arises "
    "at the data stage of the lifecycle, in data selection, collection and labelling: an "
    "active-learning strategy decides which cases a person labels, and so whose cases the "
    "model learns from. The sections follow the framework's functions: Map (what was run, "
    "what was assumed), Measure (who was asked, what the model gets wrong for whom), Manage "
    "and Govern (what to ask of any labelling pipeline)."
)

ASSUMED = (
    (
        "A simulated annotator.",
        "Each requested label is the data's recorded label, changed only by the bias settings "
        "above. Real annotators can be inconsistent, or biased in other ways.",
    ),
    (
        "Clean test truth.",
        "The held-out test set keeps its true labels (no bias setting touches them), so the "
        "model is graded against the truth. A real pipeline rarely has such a set.",
    ),
    (
        "One run.",
        "{n_seeds} seed ({seed}). The 95% intervals cover the test set's sampling, not the "
        "run-to-run spread of which cases were picked: run several seeds before generalising.",
    ),
    (
        "One model.",
        "{model} Another model can pick different cases and make different mistakes.",
    ),
    (
        "Historical data.",
        "The data's own biases come on top of the ones added here.",
    ),
)

QUESTIONS = (
    "Who chooses which cases get labelled, and by what rule? Is the rule written down, and "
    "was it checked for which groups it favours?",
    "Which groups were asked about less than their share of the pool, and what did the model "
    "get wrong for them when graded against the truth rather than the recorded labels?",
    "How were the labels checked against the truth? Who audits the annotators, how often, and "
    "who sees the result?",
)

UNFAVOURABLE = (
    "Here the positive label (\u2018{what}\u2019) is the outcome a person would not want: "
    "being wrongly flagged is the error that falls on the person."
)
LEDGER_NOTE = (
    "A group is under- or over-queried when its share of the queries lies outside the range "
    "that random picks would land in 95% of the time for its pool share and this many queries; "
    "a single run's \u201cunder\u201d is a signal, not proof."
)
GAP_NOTE = (
    "Each gap is the largest minus the smallest group's rate, with a 95% interval for the "
    "difference between those two groups (Newcombe's hybrid score interval from Wilson "
    "intervals). An interval that reaches 0 means this test set cannot tell the two groups "
    "apart. Selection does not depend on labels, so its gap reads the same both ways."
)

#: Gap rows: key, name, the rate compared (its column in the groups frame), and what it means.
GAPS = (
    (
        "dp",
        "Demographic parity difference",
        "selection_rate",
        "share predicted \u2018{what}\u2019",
    ),
    ("tpr", "True-positive-rate gap", "tpr", "of the truly \u2018{what}\u2019, share recognised"),
    ("fpr", "False-positive-rate gap", "fpr", "of the truly not, share wrongly flagged"),
    (
        "eo",
        "Equalized odds difference",
        "",
        "the larger of the two gaps above",
    ),
    (
        "pp",
        "Predictive parity difference",
        "ppv",
        "of those flagged, share truly \u2018{what}\u2019",
    ),
)


def first_sentence(text: str) -> str:
    """A description's first sentence, backticks dropped.

    >>> first_sentence("Keep only a fraction of one group. It targets the smallest.")
    'Keep only a fraction of one group.'
    """
    s = text.replace("`", "").strip()
    for i, ch in enumerate(s):
        if ch == "." and (i + 1 == len(s) or s[i + 1] == " "):
            return s[: i + 1]
    return s


def param_clause(help_text: str, value: object = None) -> str:
    """A parameter's help in a few words, for the value chosen.

    When the help lists choices as ``value: meaning; ...``, the chosen value's
    meaning; otherwise the first clause. No final full stop, no bracketed aside.

    >>> param_clause("Fraction of the group's pool rows kept.")
    "fraction of the group's pool rows kept"
    >>> param_clause("down: positives recorded as negative (under-recording); up: the reverse.", "up")
    'the reverse'
    """
    text = help_text.replace("`", "").strip()
    if value is not None:
        for part in text.split(";"):
            name, sep, meaning = part.strip().partition(":")
            if sep and name.strip().strip("'\"") == str(value):
                return _tidy(meaning)
    return _tidy(first_sentence(text).split(";")[0].split(": ")[0])


def _tidy(s: str) -> str:
    s = s.strip().rstrip(".").strip()
    if " (" in s and s.endswith(")"):
        s = s[: s.index(" (")]
    return s[:1].lower() + s[1:]


def spec_words(entry: Entry, spec: Spec) -> str:
    """A resolved spec in words: its entry's first sentence and each setting with its meaning.

    >>> from components.scenarios import SCENARIOS
    >>> spec = SCENARIOS.resolve(Spec.parse("underrepresentation:group=b,keep=0.2"))
    >>> spec_words(SCENARIOS[spec.name], spec)  # doctest: +NORMALIZE_WHITESPACE
    "Keep only a fraction of one group in the pool (representation bias). Settings:
    group = b (the group the scenario targets); keep = 0.2 (fraction of the group's pool
    rows kept)."
    """
    head = first_sentence(entry.description)
    settings = []
    for name, value in spec.params:
        try:
            meaning = param_clause(entry.param(name).help, value)
        except KeyError:
            meaning = ""
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        settings.append(f"{name} = {shown}" + (f" ({meaning})" if meaning else ""))
    return head + (" Settings: " + "; ".join(settings) + "." if settings else "")


def reproduce_command(config: Any) -> str:
    """The ``python -m components run`` command line with every field of ``config`` as a flag.

    >>> from components.config import RunConfig
    >>> cfg = RunConfig.from_dict({"dataset": "two_groups", "strategy": "random", "rounds": 2})
    >>> reproduce_command(cfg)  # doctest: +NORMALIZE_WHITESPACE
    'python -m components run --dataset two_groups --strategy random --model logistic
    --seed 0 --initial 20 --batch-size 10 --rounds 2 --test-size 0.25 --out run'
    """
    parts = ["python", "-m", "components", "run", "--dataset", str(config.dataset)]
    for spec in config.scenarios:
        parts += ["--scenario", str(spec)]
    parts += ["--strategy", str(config.strategy), "--model", config.model]
    parts += ["--seed", str(config.seed), "--initial", str(config.initial_size)]
    parts += ["--batch-size", str(config.batch_size), "--rounds", str(config.rounds)]
    parts += ["--test-size", f"{config.test_size:g}"]
    if config.use_group_feature:
        parts.append("--use-group-feature")
    parts += ["--out", "run"]
    return " ".join(shlex.quote(p) for p in parts)


CSS = """
:root { --ink: #1b1b1b; --muted: #555; --rule: #c9c9c9; --accent: #8a1c1c;
  --truth: #1f4e79; --rec: #9a6700; --soft: #f4f1ea; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 10pt/1.38 Georgia, "DejaVu Serif", "Times New Roman", serif; color: var(--ink);
  max-width: 190mm; margin: 0 auto; padding: 8mm 6mm; background: #fff; }
h1 { font-size: 15pt; margin: 0 0 1mm; line-height: 1.2; }
h2 { font: bold 10.5pt/1.3 "DejaVu Sans", Arial, sans-serif; margin: 3.2mm 0 1.2mm;
  padding-bottom: 0.6mm; border-bottom: 1px solid var(--rule); color: #222;
  break-after: avoid; page-break-after: avoid; }
h2 .fn { color: var(--muted); font-weight: normal; font-size: 9pt; }
p { margin: 0.8mm 0; }
.meta { font: 9pt/1.4 "DejaVu Sans", Arial, sans-serif; color: var(--muted); margin: 0; }
.meta b { color: var(--ink); }
.frame { font-size: 9.2pt; margin: 1.5mm 0 0; }
.callout { border-left: 1.6mm solid var(--accent); background: var(--soft);
  padding: 1.6mm 3mm; margin: 2.5mm 0 1mm; break-inside: avoid; page-break-inside: avoid; }
.callout p { margin: 0.6mm 0; }
.callout .label { font: bold 8.5pt "DejaVu Sans", Arial, sans-serif; letter-spacing: 0.04em;
  text-transform: uppercase; color: var(--accent); }
dl.run { display: grid; grid-template-columns: 25mm 1fr; gap: 0.6mm 3mm; margin: 1mm 0;
  font-size: 9.2pt; }
dl.run dt { font-weight: bold; }
dl.run dd { margin: 0; }
.cite { color: var(--muted); font-size: 8.2pt; }
table { border-collapse: collapse; width: 100%; font: 8.8pt/1.3 "DejaVu Sans", Arial,
  sans-serif; margin: 1mm 0; break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; padding: 0.7mm 1.6mm; border-bottom: 1px solid #e2e2e2;
  vertical-align: top; }
th { font-weight: bold; border-bottom: 1px solid #999; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.group { max-width: 45mm; overflow-wrap: anywhere; }
th.wide { width: 46%; }
th.pair { min-width: 34mm; }
td.word { white-space: nowrap; }
.under { color: var(--accent); font-weight: bold; }
.over { color: var(--truth); font-weight: bold; }
.bar { position: relative; height: 2.4mm; background: #eee; width: 30mm; margin: 0.9mm 0; }
.bar span { position: absolute; left: 0; top: 0; bottom: 0; }
.bar .pool { background: #b5b5b5; }
.bar .query { background: var(--truth); height: 1.2mm; top: 0.6mm; }
.note { font: 8.2pt/1.35 "DejaVu Sans", Arial, sans-serif; color: var(--muted); margin: 0.6mm 0; }
.truth { color: var(--truth); }
.rec { color: var(--rec); }
svg { display: block; margin: 1mm 0; max-width: 100%; height: auto; }
ul.assumed, ol.questions { margin: 0.8mm 0; padding-left: 5mm; font-size: 9.2pt; }
ul.assumed li, ol.questions li { margin: 0.4mm 0; }
ol.questions { font-size: 9.8pt; }
.questions-box { border: 1px solid var(--ink); padding: 1mm 3mm 1.4mm; margin-top: 2mm;
  break-inside: avoid; page-break-inside: avoid; }
pre { font: 8pt/1.35 "DejaVu Sans Mono", Consolas, monospace; background: var(--soft);
  padding: 1.2mm 2mm; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0.8mm 0; }
a { color: var(--truth); overflow-wrap: anywhere; }
.sources { font-size: 7.8pt; color: var(--muted); margin-top: 2mm; }
.sources li { margin: 0.2mm 0; }
@page { margin: 10mm 11mm; }
@media print {
  body { padding: 0; max-width: none; font-size: 9pt; line-height: 1.32; }
  table { font-size: 8.2pt; }
  dl.run, .frame, ul.assumed { font-size: 8.6pt; }
  ol.questions { font-size: 9.2pt; }
  .sources { columns: 2; column-gap: 6mm; }
  a { color: var(--ink); }
  section { break-inside: auto; }
}
"""
