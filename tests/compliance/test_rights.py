"""Rights ledger: every asset and model cleared for the brief's distribution."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from reelwright.compliance.rights import Ledger, ModelUse, check_clearances
from reelwright.errors import InputError
from reelwright.loading import load_inputs

STORYBOARD = [ModelUse(id="storyboard-pillow", purpose="render")]


@pytest.fixture
def inputs(examples):
    return load_inputs(examples / "briefs" / "first-light.yaml", None)


@pytest.fixture
def ledger_data(examples) -> dict:
    return yaml.safe_load((examples / "rights.yaml").read_text())


def ledger(data: dict, tmp_path: Path) -> Ledger:
    path = tmp_path / "rights.yaml"
    path.write_text(yaml.safe_dump(data))
    return Ledger.load(path)


def test_example_ledger_clears_the_example(inputs, examples):
    brief, bible = inputs
    assert check_clearances(Ledger.load(examples / "rights.yaml"), brief, bible, STORYBOARD) == []


def test_missing_clearance_blocks(inputs, ledger_data, tmp_path):
    brief, bible = inputs
    ledger_data["assets"] = [a for a in ledger_data["assets"] if a["id"] != "pip"]
    (finding,) = check_clearances(ledger(ledger_data, tmp_path), brief, bible, STORYBOARD)
    assert (finding.rule, finding.severity, finding.entity) == (
        "rights.missing.character",
        "block",
        "Pip",
    )


def test_expired_consent_for_a_likeness_blocks(inputs, ledger_data, tmp_path):
    brief, bible = inputs
    for a in ledger_data["assets"]:
        if a["id"] == "bram":
            a.update(
                kind="likeness",
                consent={
                    "who": "Arthur Penhallow",
                    "scope": ["likeness", "voice"],
                    "expires": "2025-01-31",
                },
            )
    (finding,) = check_clearances(
        ledger(ledger_data, tmp_path), brief, bible, STORYBOARD, on=date(2026, 6, 1)
    )
    assert finding.severity == "block" and "consent expired 2025-01-31" in finding.evidence


def test_valid_consent_passes_and_expired_licence_blocks(inputs, ledger_data, tmp_path):
    brief, bible = inputs
    for a in ledger_data["assets"]:
        if a["id"] == "bram":
            a.update(kind="likeness", consent={"who": "Arthur Penhallow", "expires": "2030-01-01"})
        if a["id"] == "lighthouse":
            a["expires"] = "2026-01-01"
    (finding,) = check_clearances(
        ledger(ledger_data, tmp_path), brief, bible, STORYBOARD, on=date(2026, 6, 1)
    )
    assert finding.entity == "Gull Point Lighthouse" and "expired 2026-01-01" in finding.evidence


def test_channels_and_territories_must_be_covered(inputs, ledger_data, tmp_path):
    brief, bible = inputs
    brief = brief.model_copy(
        update={
            "distribution": brief.distribution.model_copy(
                update={"channels": ["web", "broadcast"], "territories": ["US", "FR"]}
            )
        }
    )
    for a in ledger_data["assets"]:
        if a["id"] == "juno":
            a.update(channels=["web"], territories=["US"])
    (finding,) = check_clearances(ledger(ledger_data, tmp_path), brief, bible, STORYBOARD)
    assert "channel(s) ['broadcast']" in finding.evidence
    assert "territory(ies) ['FR']" in finding.evidence


def test_unlisted_model_is_review_by_default_and_block_when_configured(
    inputs, ledger_data, tmp_path
):
    brief, bible = inputs
    models = [*STORYBOARD, ModelUse(id="mystery-llm", purpose="language")]
    (f,) = check_clearances(ledger(ledger_data, tmp_path), brief, bible, models)
    assert (f.rule, f.severity) == ("rights.unlisted_model", "review")
    ledger_data["unlisted_model"] = "block"
    (f,) = check_clearances(ledger(ledger_data, tmp_path), brief, bible, models)
    assert f.severity == "block"


def test_no_ledger_is_a_review_finding(inputs):
    brief, bible = inputs
    (f,) = check_clearances(None, brief, bible, STORYBOARD)
    assert (f.rule, f.severity) == ("rights.no_ledger", "review")


def test_likeness_without_consent_is_refused(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("assets:\n  - {id: bram, kind: likeness, licence: x}\n")
    with pytest.raises(InputError, match="needs a consent record"):
        Ledger.load(path)
