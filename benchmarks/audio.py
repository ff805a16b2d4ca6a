"""Sound for the larger example (storm-signal): offline scratch-voice synthesis and the mix
(placing, mastering to -16 LUFS / -1 dBTP, stems, audio.json) of its final cut, against the
wall time of the same run without sound (`--voice none`, a fresh `reelwright run` process).
Also the whole run with sound. Prints one JSON line.
Targets: synthesis + mix < 3x the silent run, and >= 10x faster than real time."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]


def _run(work: Path, out: str, *extra: str) -> float:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "reelwright.cli", "run", "briefs/storm-signal.yaml"]
        + ["--auto-approve", "--out", out, *extra],
        cwd=work,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return time.perf_counter() - started


def main() -> None:
    from reelwright.audio.cache import AudioCache
    from reelwright.audio.scratch import ScratchVoice
    from reelwright.audio.track import Sound, voice_pass, write_track
    from reelwright.loading import load_bible
    from reelwright.models import ShotList
    from reelwright.paths import OutputDir

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "briefs").mkdir()
        for name in ("bible.yaml", "rights.yaml"):
            (work / name).write_text((ROOT / "examples" / name).read_text())
        brief = (ROOT / "examples/briefs/storm-signal.yaml").read_text()
        (work / "briefs/storm-signal.yaml").write_text(brief)
        silent_s = _run(work, "silent", "--voice", "none")
        sound_run_s = _run(work, "sound")
        bible = load_bible(work / "bible.yaml")
        shots = ShotList.model_validate_json((work / "silent/shots.json").read_text())
        sound = Sound(voice=ScratchVoice(), cache=AudioCache(work / "fresh-cache"))
        started = time.perf_counter()
        timed, clips, count = voice_pass(sound, shots, bible, 1)
        synth_s = time.perf_counter() - started
        started = time.perf_counter()
        write_track(sound, OutputDir(work / "mix"), timed, clips, bible)
        mix_s = time.perf_counter() - started
        record = json.loads((work / "mix/audio.json").read_text())
        run_record = json.loads((work / "sound/run.json").read_text())
    audio_s = timed.duration_s
    total = synth_s + mix_s
    print(
        json.dumps(
            {
                "benchmark": "audio",
                "brief": "storm-signal",
                "lines": len(clips),
                "synthesised": count.synthesised,
                "audio_s": round(audio_s, 2),
                "synthesis_s": round(synth_s, 3),
                "mix_s": round(mix_s, 3),
                "synthesis_and_mix_s": round(total, 3),
                "silent_run_s": round(silent_s, 3),
                "ratio_to_silent_run": round(total / silent_s, 3),
                "target_ratio_to_silent_run": 3.0,
                "realtime_factor": round(audio_s / total, 1),
                "target_realtime_factor": 10.0,
                "run_with_sound_s": round(sound_run_s, 3),
                "run_with_sound_iterations": run_record["iterations"],
                "integrated_lufs": record["mastered"]["integrated_lufs"],
                "true_peak_dbtp": record["mastered"]["true_peak_dbtp"],
                "machine": machine(),
            }
        )
    )


if __name__ == "__main__":
    main()
