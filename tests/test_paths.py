from __future__ import annotations

import pytest

from reelwright.errors import InputError
from reelwright.paths import OutputDir, check_id
from reelwright.records import RunRecord
from reelwright.staging import Staging, claim_out, staged


@pytest.mark.parametrize("bad", ["../x", "a/b", "", ".hidden", "x" * 65, "a b", "s1\n"])
def test_unsafe_ids_are_refused(bad):
    with pytest.raises(InputError):
        check_id(bad)


def test_output_paths_stay_inside(tmp_path):
    out = OutputDir(tmp_path / "out")
    assert out.frame("s1-2") == tmp_path / "out" / "frames" / "s1-2.png"
    with pytest.raises(InputError):
        out.path("..", "escape.txt")
    with pytest.raises(InputError):
        out.frame("../../etc")


def test_a_foreign_non_empty_folder_is_not_used(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="refusing to write the package there"):
        claim_out(tmp_path, "ep")
    (tmp_path / "run.json").write_text("{}")  # not even with a run.json beside the notes
    with pytest.raises(InputError, match="no Reelwright run.json|another run"):
        claim_out(tmp_path, "ep")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_only_this_runs_own_unchanged_package_is_reused(tmp_path):
    staging = Staging(tmp_path / "out", "ep")
    with staged(tmp_path / "out", "ep", carry=False) as (tx, out):
        out.write_text("hello", "script.md")
        tx.commit(RunRecord(run_id="ep", status="failed"))
    claim_out(tmp_path / "out", "ep")  # this run's package: fine
    with pytest.raises(InputError, match="another run"):
        claim_out(tmp_path / "out", "other")
    (tmp_path / "out" / "script.md").write_text("edited")
    with pytest.raises(InputError, match="changed since"):
        claim_out(tmp_path / "out", "ep")
    assert not staging.stage.exists()
