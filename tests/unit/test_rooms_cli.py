"""``python -m components room``: create a room, read its state, export its records."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from components.cli import main
from components.config import RunConfig
from components.records import QUERY_COLUMNS
from components.rooms import RoomStore


def test_create_state_and_records_from_the_command_line(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    cfg = RunConfig.from_dict({"dataset": "two_groups:n_samples=400", "batch_size": 6, "rounds": 1})
    (tmp_path / "config.json").write_text(cfg.to_json(), encoding="utf-8")
    assert main(["room", "create", "--config", str(tmp_path / "config.json"), "--url", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    code = lines[0].removeprefix("room code: ")
    teacher = lines[1].removeprefix("teacher token: ")

    store = RoomStore(url)  # the app's side: students join and answer
    token = store.join(code, "Ana")
    store.open_round(teacher)
    store.submit(token, {i.position: 1 for i in store.items_for(token)})

    assert main(["room", "state", code, "--url", url]) == 0
    public = json.loads(capsys.readouterr().out)
    assert (public["code"], public["round"], public["students"]) == (code, 1, 1)
    assert main(["room", "state", teacher, "--url", url]) == 0
    assert json.loads(capsys.readouterr().out)["progress"][0]["labelled"] == 6

    out = tmp_path / "records"
    assert main(["room", "records", teacher, "--out", str(out), "--url", url]) == 0
    assert capsys.readouterr().out.startswith("wrote config.json, rounds.csv")
    queries = pd.read_csv(out / "queries.csv")
    assert list(queries.columns) == [*QUERY_COLUMNS, "annotator"]
    assert set(queries.loc[queries["round"] == 1, "annotator"]) == {"student-1"}
    assert main(["room", "purge", "--url", url]) == 0
    assert capsys.readouterr().out.strip() == "purged 0 expired rooms"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["room", "state", "NOPE42"], "room code: 'NOPE42' is not an open room"),
        (["room", "records", "forged-token", "--out", "x"], "teacher token: 'forg…' is not known"),
        (["room", "create", "--config", "missing.json"], "--config: cannot read"),
        (["room", "create", "--config", "c.json", "--ttl-hours", "0"], "--ttl-hours: 0.0"),
        (["room"], "room: the following arguments are required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    extra = ["--url", url] if len(argv) > 2 else []
    assert main(argv + extra) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
