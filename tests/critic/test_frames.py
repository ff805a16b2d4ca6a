"""Frame measurements with a tiny random-weight CLIP built in a fixture: character
consistency against the sheet or the first appearance, prompt adherence, and what happens
without a model or with a bad folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from reelwright.critic.agent import Critic
from reelwright.critic.frames import (
    ClipFrames,
    FrameThresholds,
    adherence_failures,
    consistency_failures,
)
from reelwright.errors import InputError
from reelwright.models import Bible, Character, Location, RenderResult, Shot, ShotList
from reelwright.testing.clip import build_tiny_clip


@pytest.fixture(scope="module")
def clip_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny CLIP; the tests that use it skip where torch or transformers is not installed."""
    pytest.importorskip("torch", reason="needs the diffusers extra (torch)")
    pytest.importorskip("transformers", reason="needs the diffusers extra (transformers)")
    return build_tiny_clip(tmp_path_factory.mktemp("clip"))


def picture(kind: str) -> Image.Image:
    img = Image.new("RGB", (64, 64), (200, 180, 120))
    draw = ImageDraw.Draw(img)
    if kind == "circle":  # the character as drawn on its sheet
        draw.ellipse((10, 10, 50, 50), fill=(30, 60, 200))
    elif kind == "stripes":  # something else entirely
        for x in range(0, 64, 8):
            draw.rectangle((x, 0, x + 3, 64), fill=(0, 0, 0))
    return img


def bible(sheet: Path | None = None) -> Bible:
    return Bible(
        title="t",
        characters=[
            Character(
                id="mira",
                name="Mira",
                description="a blue circle",
                sheet=str(sheet) if sheet else None,
            ),
        ],
        locations=[Location(id="yard", name="Yard", description="a yard")],
    )


def episode(tmp_path: Path, kinds: list[str]) -> tuple[ShotList, list[RenderResult]]:
    shots, renders = [], []
    for i, kind in enumerate(kinds, start=1):
        sid = f"s1-{i}"
        path = tmp_path / f"{sid}.png"
        picture(kind).save(path)
        shots.append(
            Shot(
                id=sid,
                scene_id="s1",
                framing="medium",
                duration_s=3,
                characters=["mira"],
                location="yard",
                description=f"Mira, take {i}",
                prompt=f"Mira the blue circle in the yard, take {i}",
                seed=i,
            )
        )
        renders.append(
            RenderResult(
                shot_id=sid,
                key=f"key-{kind}-{i}",
                path=str(path),
                cached=False,
                renderer="test",
                model="test",
                seed=i,
                width=64,
                height=64,
                seconds=0.0,
            )
        )
    return ShotList(shots=shots), renders


def continuity_notes(notes):
    return [n for n in notes if n.dimension == "continuity"]


def test_identical_frames_of_a_character_are_consistent_with_its_sheet(tmp_path, clip_model):
    sheet = tmp_path / "mira.png"
    picture("circle").save(sheet)
    shots, renders = episode(tmp_path, ["circle"] * 4)
    record, notes = ClipFrames(clip_model).measure(bible(sheet), shots, renders)
    assert record.measured and record.references == {"mira": "sheet"}
    assert set(record.consistency["mira"]) == {s.id for s in shots.shots}
    assert min(record.consistency["mira"].values()) > 0.999
    assert continuity_notes(notes) == [] and record.scores["continuity"] == 10.0


def test_a_different_picture_of_the_character_is_flagged_with_its_shot_id(tmp_path, clip_model):
    sheet = tmp_path / "mira.png"
    picture("circle").save(sheet)
    shots, renders = episode(tmp_path, ["circle", "circle", "stripes", "circle"])
    record, notes = ClipFrames(clip_model).measure(bible(sheet), shots, renders)
    flagged = continuity_notes(notes)
    assert [n.shot_ids for n in flagged] == [("s1-3",)]
    assert flagged[0].target == "director" and "Mira" in flagged[0].text
    assert "character sheet" in flagged[0].text
    assert record.scores["continuity"] == 7.5  # 3 of the 4 frames on-model


def test_without_a_sheet_the_first_appearance_is_the_reference(tmp_path, clip_model):
    shots, renders = episode(tmp_path, ["circle", "circle", "circle", "stripes"])
    record, notes = ClipFrames(clip_model).measure(bible(), shots, renders)
    assert record.references == {"mira": "s1-1"}
    assert set(record.consistency["mira"]) == {"s1-2", "s1-3", "s1-4"}
    flagged = continuity_notes(notes)
    assert [n.shot_ids for n in flagged] == [("s1-4",)]
    assert "first appearance (shot s1-1)" in flagged[0].text


def test_without_the_setting_critique_says_frames_were_not_measured(tmp_path):
    from reelwright.agents.procedural import ProceduralDirector, ProceduralWriter
    from reelwright.loading import load_inputs

    examples = Path(__file__).resolve().parents[2] / "examples"
    brief, bib = load_inputs(examples / "briefs" / "storm-signal.yaml", None)
    script, _ = ProceduralWriter().write(brief, bib)
    shots, _ = ProceduralDirector().plan(script, brief, bib)
    critique, _ = Critic().critique(1, brief, bib, script, shots, [])
    dumped = critique.model_dump(mode="json")
    assert dumped["frames"]["measured"] is False
    assert "REELWRIGHT_CLIP_MODEL" in dumped["frames"]["reason"]
    assert dumped["frames"]["scores"] == {} and dumped["frames"]["consistency"] == {}


def test_a_missing_model_folder_is_a_clear_input_error(tmp_path):
    with pytest.raises(InputError, match=r"REELWRIGHT_CLIP_MODEL .*nope: no such folder"):
        ClipFrames(tmp_path / "nope")


def test_a_folder_without_safetensors_weights_is_refused(tmp_path, clip_model):
    folder = tmp_path / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text((clip_model / "config.json").read_text())
    (folder / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(InputError, match=r"no \.safetensors weights \(found pytorch_model\.bin\)"):
        ClipFrames(folder)


# Adherence: CLIP's image-text cosines are small and model-specific (a random tiny model's
# carry no meaning), so the rule is shown on cosines of the size ViT-B/32 gives.
PROMPTS = ["a lighthouse at night", "a girl on a bicycle", "a robot in a kitchen", "a red boat"]


def on_prompt_cosines() -> list[list[float]]:
    """Each frame matches its own prompt (0.31) well above the others (0.12-0.16)."""
    return [[0.31 if i == j else 0.12 + 0.01 * ((i + j) % 4) for j in range(4)] for i in range(4)]


def test_frames_that_show_their_prompts_pass_adherence():
    assert adherence_failures(PROMPTS, on_prompt_cosines(), FrameThresholds()) == []


def test_a_frame_matching_other_prompts_as_well_as_its_own_fails_adherence():
    sims = on_prompt_cosines()
    sims[2] = [0.24, 0.25, 0.22, 0.23]  # above the floor, but no closer to its own prompt
    failures = adherence_failures(PROMPTS, sims, FrameThresholds())
    assert failures == [(2, pytest.approx(0.24))]


def test_a_frame_under_the_floor_fails_adherence_even_alone():
    assert adherence_failures(PROMPTS[:1], [[0.11]], FrameThresholds()) == [(0, None)]
    assert adherence_failures(PROMPTS[:1], [[0.27]], FrameThresholds()) == []


def test_consistency_flags_an_outlier_and_anything_under_the_floor():
    t = FrameThresholds()
    on_model = {"a": 0.91, "b": 0.88, "c": 0.90}
    assert consistency_failures(on_model, t) == (0.9, [])
    assert consistency_failures({**on_model, "d": 0.79}, t)[1] == ["d"]  # 0.8+ below median
    assert consistency_failures({"a": 0.65}, t) == (None, ["a"])  # too few for a median


def test_the_critic_folds_frame_scores_into_the_measured_ones(tmp_path, clip_model):
    from reelwright.loading import load_inputs

    examples = Path(__file__).resolve().parents[2] / "examples"
    brief, bib = load_inputs(examples / "briefs" / "storm-signal.yaml", None)
    sheet = tmp_path / "mira.png"
    picture("circle").save(sheet)
    shots, renders = episode(tmp_path, ["circle", "circle", "stripes", "circle"])
    clean, _ = Critic().critique(1, brief, bible(sheet), script_for(shots), shots, renders)
    critic = Critic(frames=ClipFrames(clip_model))
    critique, _ = critic.critique(1, brief, bible(sheet), script_for(shots), shots, renders)
    assert critique.frames.measured and critique.frames.model == "tiny-clip"
    assert set(critique.frames.adherence) == {s.id for s in shots.shots}
    assert critique.frames.scores["continuity"] == 7.5
    assert critique.measured_scores["continuity"] == min(clean.scores["continuity"], 7.5)
    assert critique.scores == critique.measured_scores  # no judge
    assert any(n.shot_ids == ("s1-3",) and n.dimension == "continuity" for n in critique.notes)


def script_for(shots: ShotList):
    from reelwright.models import DialogueLine, Scene, Script

    return Script(
        title="t",
        logline="Mira waits in the yard.",
        scenes=[
            Scene(
                id="s1",
                number=1,
                location="yard",
                summary="Mira waits",
                characters=["mira"],
                beats=["waits", "leaves"],
                dialogue=[DialogueLine(character="mira", text="Here we go.")],
            )
        ],
    )


def test_the_cli_exits_2_naming_a_missing_clip_folder_and_writes_nothing(project, monkeypatch):
    from typer.testing import CliRunner

    from reelwright.cli import app

    monkeypatch.setenv("REELWRIGHT_CLIP_MODEL", str(project / "models" / "clip"))
    result = CliRunner().invoke(app, ["run", "briefs/first-light.yaml", "--out", "out"])
    assert result.exit_code == 2, result.output
    assert "REELWRIGHT_CLIP_MODEL" in result.output and "no such folder" in result.output
    assert not (project / "out").exists()
