"""Prompt size of an LLM run of the larger example (storm-signal: 6 scenes), forced to 2
critic iterations (thresholds at 10, max_iterations 2), against a scripted OpenAI-compatible
endpoint (respx; no network). Counts what the requests themselves carry: the characters of
every message, and of the structured-output schema sent with it, and a token estimate of
characters / 4 (no tokenizer is installed here; OpenAI's rule of thumb for English text and
JSON). Run it from the repository root with `PYTHONPATH=.` (or the package installed from
this tree): the line names the package it measured. Prints one JSON line. Target: prompt
tokens <= 60% of the baseline (BASELINE_TOKENS below, measured before the prompt work)."""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx
import respx
import yaml
from _machine import machine

import reelwright
from reelwright.api import run_episode
from reelwright.config import Settings
from reelwright.critic.replies import JudgementReply
from reelwright.llm import OpenAILLM
from reelwright.testing import BASE_URL, ScriptedEndpoint, judgement

ROOT = Path(__file__).resolve().parents[1]
DIMENSIONS = ["structure", "pacing", "dialogue", "shot_variety", "continuity", "technical"]
# measured on the tree before the prompt work (commit 86ed744), this same script
BASELINE_TOKENS = 23750  # messages only; 30653 with the schema (94999 + 27612 chars)
BASELINE_WITH_SCHEMA = 30653
NOTES = [
    {
        "target": "writer",
        "dimension": "dialogue",
        "text": "The middle sags: sharpen the conflict and cut the exposition.",
        "scene_ids": ["s2", "s3", "s4"],
        "shot_ids": [],
    },
    {
        "target": "director",
        "dimension": "shot_variety",
        "text": "Find a fresher angle for these establishing shots.",
        "scene_ids": [],
        "shot_ids": ["s1-1", "s5-1", "s6-1"],
    },
]
CLEARANCE = "\n  - {id: bench-model, kind: model, licence: bench, permitted_uses: [scripts]}\n"


def _messages_chars(body: dict) -> int:  # type: ignore[type-arg]
    """Text characters; a message with image parts counts its text parts only."""
    total = 0
    for m in body["messages"]:
        content = m.get("content") or ""
        if isinstance(content, list):
            total += sum(len(p["text"]) for p in content if p.get("type") == "text")
        else:
            total += len(content)
    return total


def _schema_chars(body: dict) -> int:  # type: ignore[type-arg]
    fmt = body.get("response_format")
    return len(json.dumps(fmt, separators=(",", ":"))) if fmt else 0


def two_iteration_brief(work: Path) -> Path:
    """storm-signal with every threshold at 10 and at most 2 iterations, its bible, and a
    ledger clearing the benchmark model, in `work`. Returns the brief's path."""
    brief = yaml.safe_load((ROOT / "examples/briefs/storm-signal.yaml").read_text())
    brief["thresholds"] = dict.fromkeys([*DIMENSIONS, "overall"], 10)
    brief["budget"] = {"max_iterations": 2}
    (work / "briefs").mkdir()
    (work / "bible.yaml").write_text((ROOT / "examples/bible.yaml").read_text())
    (work / "rights.yaml").write_text(
        (ROOT / "examples/rights.yaml").read_text().rstrip("\n") + CLEARANCE
    )
    (work / "briefs/storm.yaml").write_text(yaml.safe_dump(brief))
    return work / "briefs/storm.yaml"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        brief_path = two_iteration_brief(work)
        endpoint = ScriptedEndpoint()
        # the first judgement asks for a rewrite of three scenes and three single shots, so the
        # second iteration has writer, director and shot revisions: 14 + 10 = 24 calls
        endpoint.reply(JudgementReply, judgement(8.0, notes=NOTES))
        settings = Settings(home=work / "home", state=f"sqlite:///{work / 'home/state.sqlite'}")
        with respx.mock(assert_all_called=False) as router:
            router.post(f"{BASE_URL}/chat/completions").mock(side_effect=endpoint)
            llm = OpenAILLM(
                model="bench-model", base_url=BASE_URL, api_key="k", http_client=httpx.Client()
            )
            outcome = run_episode(
                brief_path,
                out=work / "out",
                settings=settings,
                llm=llm,
                auto_approve=True,
                rights=work / "rights.yaml",
            )
        if outcome.record is None:
            sys.exit(f"run failed: {outcome.status} {outcome.error}")
        rec = outcome.record
    bodies = [r.body for r in endpoint.requests]
    message_chars = sum(_messages_chars(b) for b in bodies)
    schema_chars = sum(_schema_chars(b) for b in bodies)
    tokens = round(message_chars / 4)
    by_reply: Counter[str] = Counter()
    for r in endpoint.requests:
        by_reply[r.model.__name__] += round(_messages_chars(r.body) / 4)
    line = {
        "benchmark": "prompt_tokens",
        "brief": "storm-signal (6 scenes; thresholds 10, max 2 iterations)",
        "endpoint": "ScriptedEndpoint via respx (default replies)",
        "iterations": rec.iterations,
        "stop_reason": rec.stop_reason,
        "scenes": 6,
        "calls": len(bodies),
        "calls_by_reply": dict(Counter(r.model.__name__ for r in endpoint.requests)),
        "message_chars": message_chars,
        "schema_chars": schema_chars,
        "prompt_tokens_est": tokens,
        "prompt_tokens_est_by_reply": dict(by_reply),
        "prompt_tokens_est_with_schema": round((message_chars + schema_chars) / 4),
        "token_method": "characters / 4 of the request messages (no tokenizer installed); "
        "schema_chars: response_format JSON, counted apart",
        "baseline_prompt_tokens_est": BASELINE_TOKENS,
        "ratio_to_baseline": round(tokens / BASELINE_TOKENS, 3),
        "baseline_with_schema": BASELINE_WITH_SCHEMA,
        "ratio_with_schema": round((message_chars + schema_chars) / 4 / BASELINE_WITH_SCHEMA, 3),
        "target_ratio": 0.6,
        "package": str(Path(reelwright.__file__).parent),
        "machine": machine(),
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
