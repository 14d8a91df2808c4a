"""Bad input is one line that says what to change (exit 2); anything else is a bug, said as one."""

from __future__ import annotations

import pytest

from components import cli
from datasets.bounded_read import FileRefused
from datasets.upload import read_csv_bytes
from specs import Spec, UserInputError


def test_bad_input_is_a_user_input_error_everywhere():
    for call in (
        lambda: Spec.parse("x:a"),
        lambda: read_csv_bytes(b""),
    ):
        with pytest.raises(UserInputError):
            call()
    assert issubclass(FileRefused, UserInputError) and issubclass(UserInputError, ValueError)


def test_the_cli_says_bad_input_in_one_line_with_exit_2(capsys):
    assert cli.main(["run", "--dataset", "two_groupz", "--rounds", "1"]) == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: dataset: 'two_groupz' is not a known name")


def test_an_internal_value_error_is_a_bug_with_exit_1(monkeypatch, capsys, tmp_path):
    import components.engine as engine

    def boom(self, *args, **kwargs):
        raise ValueError("shapes (3,) and (4,) not aligned")

    monkeypatch.setattr(engine.Simulation, "step", boom)
    code = cli.main(
        ["run", "--dataset", "two_groups:n_samples=200", "--rounds", "1", "--out", str(tmp_path)]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == cli.EXIT_BUG == 1
    assert len(err) == 1 and err[0].startswith("internal error (a bug, please report it)")
    assert "ValueError: shapes (3,) and (4,) not aligned" in err[0]
