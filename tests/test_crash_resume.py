"""A run killed with SIGKILL while rendering is finished by `reelwright resume`, and frames
finished before the kill are not rendered again (but are counted as this run's renders)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from reelwright.cli import app


def test_sigkill_during_rendering_then_resume(tmp_path, examples, monkeypatch):
    home, out = tmp_path / "home", tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.slow_run",
            str(home),
            str(out),
            str(examples / "briefs" / "first-light.yaml"),
            "crashy",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    cache = home / "cache"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done = list(cache.rglob("*.json")) if cache.exists() else []
        if len(done) >= 3:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    finished = {
        p: p.stat().st_mtime_ns for p in cache.rglob("*.png") if p.with_suffix(".json").exists()
    }
    assert 3 <= len(finished) < 10
    assert not (out / "run.json").exists()

    monkeypatch.setenv("REELWRIGHT_HOME", str(home))
    result = CliRunner().invoke(app, ["resume", "crashy"])
    assert result.exit_code == 0, result.output
    rec = json.loads((out / "run.json").read_text())
    assert rec["status"] == "published"
    first = rec["renders"]["by_iteration"][0]
    # frames this run rendered before the kill count as rendered by it, not as cache hits
    assert first["rendered"] == rec["shots"] and first["cached"] == 0
    for path, mtime in finished.items():  # not rendered (nor rewritten) again
        assert path.stat().st_mtime_ns == mtime
    frames = sorted(p.stem for p in (out / "frames").glob("*.png"))
    shots = json.loads((out / "shots.json").read_text())["shots"]
    assert frames == sorted(s["id"] for s in shots)
    assert (out / "animatic.mp4").stat().st_size > 0
