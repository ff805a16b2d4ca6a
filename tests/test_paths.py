from __future__ import annotations

import pytest

from reelwright.errors import InputError
from reelwright.paths import OutputDir, check_id


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
    with pytest.raises(InputError, match="not empty"):
        OutputDir(tmp_path).check_usable()
    (tmp_path / "run.json").write_text("{}")
    OutputDir(tmp_path).check_usable()  # an earlier package may be rewritten
