"""Registries hold typed, frozen entries: declared fields only, consistent with their params."""

from __future__ import annotations

import dataclasses
import importlib
import inspect

import pytest

from components.environment import ACTS_ON, ANNOTATOR, DATA_PARTS, SEED_SET
from components.learners import LEARNERS, LearnerEntry
from components.scenarios import SCENARIOS, ScenarioEntry
from components.strategies import STRATEGIES, Committee, Lookahead, StrategyEntry
from components.strategies.base import PROBLEM_LABEL, PROBLEM_SCORER
from datasets.base import DATASETS, resolve_dataset_spec
from specs import DatasetEntry, Entry, Param, Registry, TypedEntry

SIZE = Param("size", "int", 3, "Committee size.", low=2, high=9)


def least_scores(proba: object) -> object:
    return proba


def pool_scorer(model: object, pool: object, context: object, **_: object) -> object:
    return None


# ----------------------------------------------------------------------------- registration


@pytest.mark.parametrize(
    ("entry", "keyword", "hint"),
    [
        (StrategyEntry, "comittee", "committee"),
        (StrategyEntry, "scorer_label", "score_label"),
        (ScenarioEntry, "act_on", "acts_on"),
        (LearnerEntry, "formula", None),
        (DatasetEntry, "uploaded", "upload"),
    ],
)
def test_an_unknown_keyword_is_refused_at_registration(
    entry: type[TypedEntry], keyword: str, hint: str | None
) -> None:
    reg = Registry("thing", entry=entry)
    with pytest.raises(TypeError) as info:
        reg.register("x", description="X.", **{keyword: 1})
    msg = str(info.value)
    assert f"thing 'x': unknown entry field '{keyword}'" in msg
    assert "allowed: " + (", ".join(entry.declared_fields()) or "(none)") in msg
    if hint:
        assert f"did you mean '{hint}'?" in msg
    assert "x" not in reg


@pytest.mark.parametrize("registry", [STRATEGIES, SCENARIOS, LEARNERS], ids=lambda r: r.kind)
def test_the_product_registries_refuse_unknown_keywords_too(registry: Registry) -> None:
    before = list(registry)
    with pytest.raises(TypeError, match="unknown entry field 'colour'"):
        registry.register("not_registered", description="No.", colour="red")
    assert list(registry) == before


def test_a_scenario_must_declare_what_it_acts_on() -> None:
    reg = Registry("scenario", entry=ScenarioEntry)
    with pytest.raises(TypeError, match="acts_on"):
        reg.register("x", description="X.")(lambda split, *, rng: split)
    with pytest.raises(ValueError, match="acts_on=\\('moon',\\)"):
        reg.register("y", description="Y.", acts_on=("moon",))(lambda split, *, rng: split)
    with pytest.raises(ValueError, match="seed_set alone"):
        reg.register("z", description="Z.", acts_on=(SEED_SET, ANNOTATOR))(len)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"committee": Committee(size_param="members")}, "no parameter 'members'"),
        ({"lookahead": Lookahead("candidates", "eval_size")}, "no parameter 'candidates'"),
        ({"committee": Committee(size_param="size")}, None),
        ({"scorer": least_scores, "pool_scorer": pool_scorer}, PROBLEM_LABEL),
        ({"scorer": least_scores, "score_label": "x"}, PROBLEM_SCORER),
        ({"score_label": "x"}, PROBLEM_LABEL),
    ],
)
def test_an_inconsistent_strategy_entry_is_refused(fields: dict, problem: str | None) -> None:
    reg = Registry("strategy", entry=StrategyEntry)
    if problem is None:  # the consistent one registers
        reg.register("x", params=(SIZE,), description="X.", **fields)(len)
        assert reg["x"].committee == Committee("size")
        return
    with pytest.raises(ValueError) as info:
        reg.register("x", params=(SIZE,), description="X.", **fields)(len)
    assert str(info.value) == f"strategy 'x': {problem}"


def test_entries_are_frozen_and_extra_is_a_read_only_view() -> None:
    entry = STRATEGIES["bald"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.score_label = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        entry.extra["scorer"] = None  # type: ignore[index]
    # callers that read extra (the Method page, the cost model) see the typed fields
    assert entry.extra["formula"] == entry.formula
    assert entry.extra.get("committee") == Committee("members")
    assert SCENARIOS["label_bias"].extra["formula"] == SCENARIOS["label_bias"].formula
    assert STRATEGIES["random"].extra.get("formula", "") == ""


def test_a_plain_registry_keeps_free_keywords_as_the_datasets_do() -> None:
    reg = Registry("dataset")
    reg.register("a", description="A.", upload=True, local_file=True)(len)
    assert type(reg["a"]) is Entry
    assert reg["a"].extra.get("upload") and reg["a"].extra.get("local_file")
    with pytest.raises(TypeError):
        reg["a"].extra["upload"] = False  # type: ignore[index]
    resolve_dataset_spec("two_groups")  # registers every loader
    assert DATASETS["csv"].extra.get("upload") and DATASETS["csv"].extra.get("local_file")
    assert not DATASETS["two_groups"].extra.get("upload")
    typed = Registry("dataset", entry=DatasetEntry)
    typed.register("b", description="B.", upload=True)(len)
    assert typed["b"].upload and typed["b"].extra.get("upload") and not typed["b"].local_file


# ----------------------------------------------------------------------------- strategies


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_every_strategy_entry_is_consistent_with_its_params(name: str) -> None:
    entry = STRATEGIES[name]
    assert isinstance(entry, StrategyEntry)
    params = {p.name: p for p in entry.params}
    has_score = entry.scorer is not None
    assert (entry.pool_scorer is not None) == has_score == bool(entry.score_label)
    if has_score:
        # the public *_scores function of its module, documented with a doctest
        scorer = entry.scorer
        assert scorer.__name__.endswith("_scores"), scorer.__name__
        module = importlib.import_module(scorer.__module__)
        assert getattr(module, scorer.__name__) is scorer
        assert ">>>" in (scorer.__doc__ or ""), f"{scorer.__name__} has no example"
        sig = inspect.signature(scorer).parameters.values()
        keywords = {p.name for p in sig if p.kind is p.KEYWORD_ONLY}
        assert keywords <= set(params), f"{name}: scorer keywords {keywords} are not params"
        takes_committee = next(iter(inspect.signature(scorer).parameters)) == "committee_proba"
        assert takes_committee == (entry.committee is not None)
        assert entry.formula, f"{name} has a score but no formula"
    if entry.committee is not None:
        size = params[entry.committee.size_param]
        assert size.kind == "int" and size.low is not None and size.low >= 2
    if entry.lookahead is not None:
        for p in (entry.lookahead.candidates_param, entry.lookahead.eval_param):
            assert params[p].kind == "int" and params[p].low >= 1


def test_random_is_the_one_strategy_without_a_score() -> None:
    assert [n for n in STRATEGIES if STRATEGIES[n].scorer is None] == ["random"]
    assert [n for n in STRATEGIES if STRATEGIES[n].committee] == [
        "qbc_vote_entropy",
        "qbc_kl",
        "bald",
    ]
    assert [n for n in STRATEGIES if STRATEGIES[n].lookahead] == ["fal"]


# ----------------------------------------------------------------------------- scenarios and models


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_declares_what_it_acts_on(name: str) -> None:
    entry = SCENARIOS[name]
    assert isinstance(entry, ScenarioEntry)
    assert isinstance(entry.acts_on, tuple) and set(entry.acts_on) <= set(ACTS_ON)
    if entry.acts_on:
        assert entry.formula, f"{name} changes something but has no formula"
    first = next(iter(inspect.signature(entry.func).parameters))
    assert first == {"data": "split", SEED_SET: "sampler", ANNOTATOR: "annotator"}[entry.part]
    if entry.part == "data":
        assert set(entry.acts_on) <= set(DATA_PARTS)


def test_acts_on_names_the_parts_each_scenario_changes() -> None:
    acts = {n: set(SCENARIOS[n].acts_on) for n in SCENARIOS}
    assert acts["none"] == set()
    assert acts["label_bias"] == {"pool", "test_labels"}
    assert acts["measurement_noise"] == {"pool", "test_features"}
    assert acts["cold_start_skew"] == {"seed_set"}
    assert acts["annotator_bias"] == {"annotator"}


def test_every_learner_entry_is_typed() -> None:
    assert all(isinstance(LEARNERS[n], LearnerEntry) for n in LEARNERS)
    assert LearnerEntry.declared_fields() == ()
