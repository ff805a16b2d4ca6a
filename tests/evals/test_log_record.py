"""eval.json is an EvalLog: it reads back unchanged, and a log of another version is refused."""

from __future__ import annotations

import json

import pytest

from reelwright.errors import InputError
from reelwright.evals.compare import load_log


def test_an_eval_log_round_trips_and_another_version_is_refused(suite_factory, tmp_path):
    from reelwright.evals.runner import EvalOptions, run_suite, write_outputs

    out = tmp_path / "o"
    log = run_suite(suite_factory(2), EvalOptions(out=out, offline=True, long_side=256))
    path = write_outputs(log, out)["log"]
    read = load_log(path)
    assert read == log
    assert read.to_json(indent=1) == path.read_text(encoding="utf-8")
    path.write_text(json.dumps({**json.loads(path.read_text()), "version": 2}))
    with pytest.raises(InputError, match=r"eval log version 2 is not supported") as err:
        load_log(path)
    assert str(path) in str(err.value)
