"""When a case of an earlier run into the same folder may stand: only when nothing that decides
its result changed (`CaseInputs`: the brief, bible and ledger as read now, the options, the
seed, the LLM and the Reelwright version). An interrupted case with the same inputs resumes
from its checkpoint; any change starts the case fresh, and says what changed."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from reelwright.records import CaseInputs, CaseResult
from reelwright.version import __version__

if TYPE_CHECKING:
    from reelwright.config import LLMSettings, Settings
    from reelwright.evals.cassette import Cassette
    from reelwright.evals.options import EvalOptions
    from reelwright.evals.suite import Case, Suite

logger = logging.getLogger("reelwright.evals")

INPUTS_FILE = "inputs.json"  # written when a case starts: what an interrupted case ran with
CACHE_FILE = "cache.txt"  # the cache folder its checkpoint's frames are in
# what the runner writes in a case's folder, removed when the case starts fresh
_CASE_FILES = ("result.json", INPUTS_FILE, CACHE_FILE, "cassette.jsonl", "rights.yaml")
_CASE_DIRS = ("package", "home")


@dataclass(frozen=True)
class LLMIdentity:
    """The LLM every case of this eval runs with."""

    llm: Literal["offline", "live", "record", "replay"]
    model: str | None = None
    mode: str | None = None
    endpoint: str | None = None
    cassette: str | None = None


def llm_identity(
    options: EvalOptions, settings: LLMSettings, cassette: Cassette | None
) -> LLMIdentity:
    """Replay asks with the cassette's model and mode unless REELWRIGHT_LLM_MODEL or
    REELWRIGHT_LLM_MODE set them (then a request the cassette lacks is a miss naming them)."""
    if cassette is not None:
        recorded = cassette.header.llm
        chosen = settings.model_fields_set
        return LLMIdentity(
            "replay",
            model=settings.model if "model" in chosen else recorded.model,
            mode=settings.mode if "mode" in chosen else recorded.mode,
            endpoint=recorded.base_url,  # named in messages, never reached
            cassette=cassette.digest,
        )
    if options.offline or not settings.configured:
        return LLMIdentity("offline")
    return LLMIdentity(
        "record" if options.record else "live",
        model=settings.model,
        mode=settings.mode,
        endpoint=settings.base_url or "https://api.openai.com/v1",
    )


def deciding_settings(settings: Settings, llm: LLMIdentity) -> dict[str, object]:
    """The settings besides the model and mode that can change a case's result: with a model,
    its reply budget, vision, the rights judge, retries and the judge's sampling; always, the
    CLIP model that measures frames. Concurrency, timeouts of a replay and prices do not."""
    out: dict[str, object] = {
        "clip.model": str(settings.clip.model) if settings.clip.model else None,
    }
    if llm.llm != "offline":
        out |= {
            "llm.max_tokens": settings.llm.max_tokens,
            "llm.vision": settings.llm.vision,
            "llm.rights_judge": settings.llm.rights_judge,
            "judge.samples": settings.judge.samples,
            "judge.max_frames": settings.judge.max_frames,
            "judge.frame_px": settings.judge.frame_px,
        }
    if llm.llm in ("live", "record"):  # whether a flaky endpoint fails a case
        out |= {
            "llm.max_attempts": settings.llm.max_attempts,
            "llm.timeout_s": settings.llm.timeout_s,
        }
    return out


def case_inputs(
    case: Case,
    suite: Suite,
    base: Path,
    options: EvalOptions,
    llm: LLMIdentity,
    settings: Settings | None = None,
) -> CaseInputs:
    brief_path = base / case.brief if isinstance(case.brief, str) else None
    bible: Any = case.bible if case.bible is not None else suite.bible
    bible_path: Path | None = base / bible if isinstance(bible, str) else None
    if bible is None and brief_path is not None:
        bible_path = _found_bible(brief_path)
    rights: Any = suite.rights
    if rights is None and bible_path is not None:
        implicit = bible_path.resolve().parent / "rights.yaml"
        rights = str(implicit) if implicit.is_file() else None
    rights_path = base / rights if isinstance(rights, str) else None
    return CaseInputs(
        brief=_digest(case.brief, brief_path),
        bible=_digest(bible, bible_path),
        rights=_digest(rights, rights_path),
        options=_digest(
            [
                case.expect.model_dump(mode="json"),
                [d.model_dump(mode="json") for d in case.decisions]
                if case.decisions is not None
                else None,
                case.tags,
                case.critique.model_dump(mode="json") if case.critique else None,
                suite.kind,
                options.long_side,
                options.prices,
            ],
            None,
        ),
        seed=options.seed,
        llm=llm.llm,
        model=llm.model,
        mode=llm.mode,
        endpoint=llm.endpoint,
        cassette=llm.cassette,
        settings=deciding_settings(settings, llm)
        if settings is not None and suite.kind != "screening"
        else {},
        software=__version__,
    )


def _found_bible(brief_path: Path) -> Path | None:
    from reelwright.errors import ReelwrightError
    from reelwright.loading import find_bible

    try:
        return find_bible(brief_path.resolve())
    except (ReelwrightError, OSError):
        return None


def _digest(value: Any, path: Path | None) -> str:
    """Of a file's bytes as they are now (a missing file digests its name), or of an inline
    value."""
    if path is not None:
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        except OSError:
            value = f"unreadable: {path}"
    blob = json.dumps(value, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Decision:
    """What to do with a case: reuse its result, resume its checkpoint, or start fresh."""

    action: Literal["reuse", "resume", "fresh"]
    previous: CaseResult | None = None
    changed: tuple[str, ...] = ()


def plan_case(case_dir: Path, inputs: CaseInputs, needs: tuple[str, ...] = ()) -> Decision:
    """`needs`: files a reusable case must still have (its cassette when recording)."""
    previous = _read(case_dir / "result.json", CaseResult)
    started = _read_inputs(case_dir / INPUTS_FILE)
    if previous is not None:
        if previous.inputs == inputs:
            missing = [n for n in needs if not (case_dir / n).is_file()]
            if not missing:
                return Decision("reuse", previous)
            return Decision("fresh", changed=tuple(f"no {n}" for n in missing))
        if previous.inputs is None:
            return Decision("fresh", changed=("result from an older Reelwright",))
        return Decision("fresh", changed=tuple(inputs.changes(previous.inputs)))
    if started == inputs:
        return Decision("resume")
    if started is not None:
        return Decision("fresh", changed=tuple(inputs.changes(started)))
    if (case_dir / "state.sqlite").exists():  # a checkpoint of unknown inputs
        return Decision("fresh", changed=("checkpoint from an older Reelwright",))
    return Decision("fresh")


def start_fresh(case_dir: Path, inputs: CaseInputs, changed: list[str], case_id: str) -> None:
    """Remove what an earlier run of the case wrote (its checkpoint included), then note the
    inputs this run starts with."""
    from reelwright.paths import atomic_write

    if changed:
        logger.info("case %s starts fresh: %s", case_id, "; ".join(changed))
    if case_dir.is_dir():
        for name in _CASE_FILES:
            (case_dir / name).unlink(missing_ok=True)
        for db in case_dir.glob("state.sqlite*"):
            db.unlink()
        for name in _CASE_DIRS:
            if (case_dir / name).is_dir():
                shutil.rmtree(case_dir / name)
    case_dir.mkdir(parents=True, exist_ok=True)
    atomic_write(case_dir / INPUTS_FILE, inputs.model_dump_json(indent=1).encode())


def _read(path: Path, model: type[CaseResult]) -> CaseResult | None:
    try:
        return model.model_validate_json(path.read_bytes())
    except (OSError, ValueError, ValidationError):
        return None


def _read_inputs(path: Path) -> CaseInputs | None:
    try:
        return CaseInputs.model_validate_json(path.read_bytes())
    except (OSError, ValueError, ValidationError):
        return None
