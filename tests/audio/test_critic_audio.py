"""The critic's technical checks cover audio: a line cut at its shot's cut is a finding
aimed at the director, and a clean track adds none."""

from __future__ import annotations

from pathlib import Path

from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
from reelwright.audio.cache import AudioCache
from reelwright.audio.mix import Mastering
from reelwright.audio.track import Sound, voice_pass
from reelwright.critic.agent import Critic
from reelwright.loading import load_inputs
from reelwright.models import ShotList
from reelwright.renderers.cache import RenderCache, render_all
from reelwright.renderers.storyboard import StoryboardRenderer
from tests.audio.conftest import CountingVoice
from tests.conftest import EXAMPLES


def test_the_critic_reports_a_line_cut_by_its_shot(tmp_path: Path) -> None:
    brief, bible = load_inputs(EXAMPLES / "briefs" / "first-light.yaml", None)
    script, _ = ProceduralWriter().write(brief, bible)
    planned, _ = ProceduralDirector().plan(script, brief, bible)
    sound = Sound(voice=CountingVoice(), cache=AudioCache(tmp_path / "audio"))
    shots, clips, _ = voice_pass(sound, planned, bible, 1)
    renderer = StoryboardRenderer()
    jobs = [renderer.job(s, bible, 256, 144) for s in shots.shots]
    frames = render_all(renderer, jobs, RenderCache(tmp_path / "frames"))
    clean, _ = Critic().critique(1, brief, bible, script, shots, frames, clips, Mastering())
    assert clean.scores["technical"] == 10.0
    assert not [f for f in clean.findings if f.rule.startswith("qc.audio")]
    talking = next(s for s in shots.shots if s.dialogue)
    cut = ShotList(
        shots=[
            s.model_copy(update={"duration_s": 1.0}) if s.id == talking.id else s
            for s in shots.shots
        ]
    )
    critique, _ = Critic().critique(1, brief, bible, script, cut, frames, clips, Mastering())
    audio = [f for f in critique.findings if f.rule.startswith("qc.audio")]
    assert [f.rule for f in audio] == ["qc.audio.line_cut"] * len(talking.dialogue)
    assert audio[0].shot_ids == (talking.id,) and audio[0].target == "director"
    assert critique.scores["technical"] < clean.scores["technical"]
    assert any(talking.id in n.shot_ids and n.dimension == "technical" for n in critique.notes)
