"""A voice imitating a real person is a likeness: without a `voice` clearance carrying the
person's consent, the run is blocked at clearance. Bed files are cleared by name."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml
from pydantic import ValidationError

from reelwright.api import run_episode
from reelwright.audio.wav import wav_bytes
from reelwright.compliance.rights import Clearance, Ledger, check_clearances, sound_uses
from reelwright.config import Settings
from reelwright.loading import load_brief
from reelwright.models import Bible, VoiceSpec

CONSENTED = {
    "id": "juno",
    "kind": "voice",
    "name": "Juno's voice, performed after Jane Doe",
    "licence": "voice consent agreement",
    "consent": {"who": "Jane Doe", "scope": ["voice"], "expires": "2099-01-01"},
}


def _imitating(bible: Bible) -> Bible:
    juno = bible.character("juno").model_copy(
        update={"voice": VoiceSpec(name="alto", imitates="Jane Doe")}
    )
    return bible.model_copy(update={"characters": [juno, *bible.characters[1:]]})


def _voice_findings(ledger: Ledger, bible: Bible, examples: Path) -> list[str]:
    brief = load_brief(examples / "briefs" / "first-light.yaml")
    found = check_clearances(
        ledger, brief, bible, [], on=date(2027, 1, 1), sounds=sound_uses(bible, brief, [])
    )
    return [f.rule for f in found if f.kind == "voice"]


def test_an_imitated_voice_needs_a_cleared_consent(bible: Bible, examples: Path) -> None:
    ledger = Ledger.load(examples / "rights.yaml")
    imitating = _imitating(bible)
    assert _voice_findings(ledger, bible, examples) == []  # nobody imitated: nothing to clear
    assert _voice_findings(ledger, imitating, examples) == ["rights.missing.voice"]
    cleared = ledger.model_copy(
        update={"assets": [*ledger.assets, Clearance.model_validate(CONSENTED)]}
    )
    assert _voice_findings(cleared, imitating, examples) == []
    likeness_only = {**CONSENTED, "consent": {**CONSENTED["consent"], "scope": ["likeness"]}}
    expired = {**CONSENTED, "consent": {**CONSENTED["consent"], "expires": "2020-01-01"}}
    for entry in (likeness_only, expired):
        wrong = ledger.model_copy(
            update={"assets": [*ledger.assets, Clearance.model_validate(entry)]}
        )
        assert _voice_findings(wrong, imitating, examples) == ["rights.not_cleared.voice"]
    with pytest.raises(ValidationError, match="consent"):
        Clearance.model_validate({k: v for k, v in CONSENTED.items() if k != "consent"})


def _project_with_imitation(project: Path) -> None:
    data = yaml.safe_load((project / "bible.yaml").read_text())
    data["characters"][0]["voice"] = {"name": "alto", "imitates": "Jane Doe"}
    (project / "bible.yaml").write_text(yaml.safe_dump(data))


def test_an_uncleared_imitation_blocks_the_run_and_a_consented_one_runs(
    project: Path, settings: Settings
) -> None:
    _project_with_imitation(project)
    blocked = run_episode(
        "briefs/first-light.yaml", out="blocked", auto_approve=True, llm=None, settings=settings
    )
    assert blocked.status == "blocked"
    assert not (project / "blocked" / "script.json").exists()  # stopped before writing
    ledger = yaml.safe_load((project / "rights.yaml").read_text())
    ledger["assets"].append(CONSENTED)
    (project / "rights.yaml").write_text(yaml.safe_dump(ledger))
    cleared = run_episode(
        "briefs/first-light.yaml", out="cleared", auto_approve=True, llm=None, settings=settings
    )
    assert cleared.status == "published"
    prov = (project / "cleared" / "provenance.json").read_text()
    assert "Jane Doe" in prov


def test_a_bed_file_must_be_cleared_by_name(project: Path, settings: Settings) -> None:
    music = project / "harbour-theme.wav"
    t = np.arange(48_000) / 24_000
    music.write_bytes(wav_bytes((0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 24_000))
    blocked = run_episode(
        "briefs/first-light.yaml",
        out="a",
        auto_approve=True,
        llm=None,
        settings=settings,
        music=music,
    )
    assert blocked.status == "blocked"
    ledger = yaml.safe_load((project / "rights.yaml").read_text())
    ledger["assets"].append(
        {"id": "harbour-theme.wav", "kind": "music", "licence": "commissioned, buyout"}
    )
    (project / "rights.yaml").write_text(yaml.safe_dump(ledger))
    cleared = run_episode(
        "briefs/first-light.yaml",
        out="b",
        auto_approve=True,
        llm=None,
        settings=settings,
        music=music,
    )
    assert cleared.status == "published"
    assert '"harbour-theme.wav"' in (project / "b" / "audio.json").read_text()
