"""A one-page HTML brief of a run for decision-makers, framed by the NIST AI RMF.

``brief_html`` reads a run's record frames (``components.records.to_frames``
or ``read_run``) and writes one self-contained page: inline style, inline
SVG, no script, no fetch (a Content-Security-Policy says so to the browser
too). The only link is the replay link, when one is given. Every number is
computed here from the frames through :mod:`components.harm` and
:mod:`components.intervals`; the fixed wording is :mod:`components.brief_text`.
Every text that comes from the run (group names, specs, labels) passes
``html.escape``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from components import brief_measure as M
from components import brief_text as T
from components.brief_measure import e, gap_table
from components.config import RunConfig
from components.outcome_text import outcome_words
from specs import UserInputError

__all__ = ["brief_html", "check_url", "gap_table", "pick_round"]

MSG_ROUND = "round: {value} is not a round of this run; allowed: {low} to {high}"
MSG_URL = "replay_url: {value!r} is not a web address; allowed: an http:// or https:// URL"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def pick_round(groups: pd.DataFrame, r: int | None) -> int:
    """``r`` when the record holds it, the last round when ``r`` is None; else ``MSG_ROUND``."""
    rounds = sorted(int(x) for x in pd.unique(groups["round"]))
    if not rounds:
        raise UserInputError("groups: the record holds no rounds; allowed: a run's records")
    if r is None:
        return rounds[-1]
    if r not in rounds:
        raise UserInputError(MSG_ROUND.format(value=r, low=rounds[0], high=rounds[-1]))
    return int(r)


def _load(config: RunConfig, dataset: Any) -> Any:
    """The run's ``Dataset``: ``dataset`` if given, else loaded; None when it cannot be."""
    from datasets.base import load

    if dataset is not None:
        return dataset
    try:
        return load(config.dataset)
    except (UserInputError, OSError, ValueError):
        return None  # e.g. an upload no longer stored: the brief says less about the data


def _resolved(config: RunConfig, dataset: Any) -> RunConfig:
    """``config`` with every default filled (the scenarios' target groups too), when possible."""
    if dataset is None:
        return config
    try:
        return config.resolve(dataset=dataset)
    except (UserInputError, OSError, ValueError):
        return config


def _dataset_facts(config: RunConfig, dataset: Any) -> tuple[str, str, str, bool]:
    """(description, citation, positive label, positive favourable) of the run's data."""
    from datasets.base import DATASETS, _ensure_loaders

    _ensure_loaders()
    name = config.dataset.name
    entry = _entry(DATASETS, name)
    citation = entry.citation if entry is not None else ""
    if dataset is None:
        return (entry.description if entry is not None else name, citation, "positive", True)
    return (
        dataset.description,
        citation or dataset.source,
        dataset.positive_label,
        dataset.positive_favourable,
    )


def _entry(registry: Any, name: str) -> Any:
    try:
        return registry[name]
    except (KeyError, UserInputError):
        return None


def _run_section(config: RunConfig, facts: tuple[str, str, str, bool], n_seeds: int) -> str:
    from components.learners import LEARNERS
    from components.scenarios import SCENARIOS
    from components.strategies import STRATEGIES

    description, citation, positive, _ = facts
    items = [
        (
            "Data",
            f"{e(description)} The positive label means: <b>{e(outcome_words(positive))}</b>.",
            citation,
        )
    ]
    if not config.scenarios:
        items.append(("Bias added", "None: the data as it comes.", ""))
    for spec in config.scenarios:
        entry = _entry(SCENARIOS, spec.name)
        words = e(str(spec))
        if entry is not None:
            words = e(T.spec_words(entry, SCENARIOS.resolve(spec)))
        cite = entry.citation if entry is not None else ""
        items.append(("Bias added", f"<b>{e(spec.name)}</b>: {words}", cite))
    strat = _entry(STRATEGIES, config.strategy.name)
    words = e(str(config.strategy))
    if strat is not None:
        words = e(T.spec_words(strat, STRATEGIES.resolve(config.strategy)))
    cite = strat.citation if strat is not None else ""
    items.append(("Strategy", f"<b>{e(config.strategy.name)}</b>: {words}", cite))
    model = _entry(LEARNERS, config.model)
    items.append(
        (
            "Model",
            f"<b>{e(config.model)}</b>: {e(model.description if model is not None else '')}",
            model.citation if model is not None else "",
        )
    )
    budget = config.initial_size + config.batch_size * config.rounds
    group_note = "sees" if config.use_group_feature else "does not see"
    items.append(
        (
            "Labelling",
            e(
                f"{config.initial_size} cases labelled at random first (the seed set), then "
                f"{config.rounds} rounds of {config.batch_size} chosen by the strategy: "
                f"{budget} labels in all. {config.test_size:.0%} of the rows are held out as "
                f"the test set. The model {group_note} the group. {n_seeds} run, seed "
                f"{config.seed}."
            ),
            "",
        )
    )
    body = "".join(
        f"<dt>{e(k)}</dt><dd>{v}" + (f' <span class="cite">({e(c)})</span>' if c else "") + "</dd>"
        for k, v, c in items
    )
    return f'<dl class="run">{body}</dl>'


def _reproduce_section(config: RunConfig, replay_url: str | None) -> str:
    link = (
        f'<p>Replay in the app: <a href="{e(replay_url)}">{e(replay_url)}</a></p>'
        if replay_url
        else "<p>No replay link was given when this brief was made.</p>"
    )
    return (
        f"{link}<p>Reproduce from the command line (same seed, same numbers), then remake "
        "this brief:</p>"
        f"<pre>{e(T.reproduce_command(config))}\n"
        "python -m components brief --config run --out brief.html\n"
        "python -m components run --config run/config.json  # replays the same run</pre>"
    )


def check_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) address, None for None; else ``MSG_URL``.

    >>> check_url("https://example.org/?dataset=adult")
    'https://example.org/?dataset=adult'
    >>> check_url("javascript:alert(1)")
    Traceback (most recent call last):
    ...
    specs.UserInputError: replay_url: 'javascript:alert(1)' is not a web address; \
allowed: an http:// or https:// URL
    """
    if url is None:
        return None
    parts = urlsplit(str(url).strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise UserInputError(MSG_URL.format(value=str(url)[:200]))
    return str(url).strip()


def brief_html(
    config: RunConfig,
    frames: dict[str, pd.DataFrame],
    *,
    round: int | None = None,  # noqa: A002 -- the record's own word
    replay_url: str | None = None,
    dataset: Any = None,
) -> str:
    """The brief of a run as one self-contained HTML page.

    Parameters
    ----------
    config : RunConfig
        The run's config (resolved or not).
    frames : dict
        ``rounds`` and ``groups`` record frames (``to_frames`` or ``read_run``).
    round : int, optional
        The round described; the last one by default. Not in the record:
        ``UserInputError`` (``MSG_ROUND``).
    replay_url : str, optional
        An http(s) link that replays the run in the app.
    dataset : Dataset, optional
        The run's data, if already loaded (for its positive label); else loaded
        from the config's spec.

    Returns
    -------
    str
        HTML text, no script, no external resource.
    """
    groups, rounds = frames["groups"], frames["rounds"]
    r = pick_round(groups, round)
    replay_url = check_url(replay_url)
    dataset = _load(config, dataset)
    config = _resolved(config, dataset)
    facts = _dataset_facts(config, dataset)
    what = outcome_words(facts[2])
    n_seeds = 1
    model_words = _entry_words(config.model)
    assumed = "".join(
        f"<li><b>{e(head)}</b> {e(text.format(n_seeds=n_seeds, seed=config.seed, model=model_words))}</li>"
        for head, text in T.ASSUMED
    )
    questions = "".join(f"<li>{e(q)}</li>" for q in T.QUESTIONS)
    sources = "".join(f"<li>{e(s)}</li>" for s in (T.NIST_RMF, T.NIST_1270, T.PHILLIPS, T.WILSON))
    last = int(max(groups["round"]))
    round_note = f"round {r} of {last}" if r != last else f"the last round ({r})"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(T.TITLE)}</title><style>{T.CSS}</style></head><body>"
        f"<header><h1>{e(T.TITLE)}</h1>"
        f'<p class="meta"><b>NIST AI RMF 1.0 characteristic:</b> {e(T.CHARACTERISTIC)}'
        f" &middot; <b>Lifecycle stage:</b> {e(T.STAGE)}"
        f" &middot; <b>Read at:</b> {e(round_note)}</p>"
        f'<p class="frame">{e(T.FRAMING)}</p></header>'
        f"{M.against_section(groups, r, config.strategy.name)}"
        '<section><h2>What was run <span class="fn">(Map)</span></h2>'
        f"{_run_section(config, facts, n_seeds)}</section>"
        '<section><h2>Who was asked: the query ledger <span class="fn">(Measure)</span></h2>'
        f"{M.ledger_section(groups, r)}</section>"
        '<section><h2>What the model gets wrong, for whom <span class="fn">(Measure)</span></h2>'
        f"{M.outcome_section(groups, rounds, r, what, favourable=facts[3])}</section>"
        '<section><h2>Fairness gaps with 95% intervals <span class="fn">(Measure)</span></h2>'
        f"{M.gap_section(groups, r, what)}</section>"
        '<section><h2>What was assumed <span class="fn">(Map)</span></h2>'
        f'<ul class="assumed">{assumed}</ul></section>'
        '<section><h2>Replay and reproduce <span class="fn">(Govern)</span></h2>'
        f"{_reproduce_section(config, replay_url)}</section>"
        '<section class="questions-box"><h2>Three questions for any labelling pipeline '
        '<span class="fn">(Manage and Govern)</span></h2>'
        f'<ol class="questions">{questions}</ol></section>'
        f'<section><ul class="sources">{sources}</ul></section>'
        "</body></html>\n"
    )


def _entry_words(model: str) -> str:
    from components.learners import LEARNERS

    entry = _entry(LEARNERS, model)
    return f"{model}: {entry.description}" if entry is not None else model
