"""Stored state is not trusted with power. A checkpoint may have been edited by someone else,
so a resume takes its power from the environment it runs in now: the API key goes only to the
endpoint configured now, and every path the state holds is re-checked against its root before
anything reads or writes through it.

What is checked on resume (`check_state`), and against what:

- frames (`RenderResult.path`): must be the render cache's own file for the frame's key,
  under the cache folder configured now (REELWRIGHT_HOME);
- the output folder: `check_out_dir` (resolved path as stored, outside the state folder,
  the usual output-folder rules);
- character sheets: inside the folder of the bible the run was started from, unless the run
  was started with `--allow-sheets-outside` *and* REELWRIGHT_ALLOW_SHEETS_OUTSIDE=1 is set
  now (an allowance read from state alone grants nothing);
- the rights ledger, watchlists, references folder and a `diffusers:PATH` model: inputs the
  user chose at run time, so any place is theirs to choose, but they must still be a regular
  file (a folder for references) and never inside the state folder;
- the LLM endpoint: `check_endpoint`, from `build_context`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from reelwright.errors import InputError, param

if TYPE_CHECKING:
    from reelwright.config import Settings
    from reelwright.graphs.state import EpisodeState, RunSpec
    from reelwright.models import Bible
    from reelwright.renderers.cache import RenderCache

logger = logging.getLogger("reelwright.trust")

OPENAI_DEFAULT = "https://api.openai.com/v1"
ALLOW_SHEETS_ENV = "REELWRIGHT_ALLOW_SHEETS_OUTSIDE"


def inside(path: Path, root: Path) -> bool:
    """Whether `path` is `root` or lies under it, both with symlinks resolved."""
    path, root = path.resolve(), root.resolve()
    return path == root or root in path.parents


# --------------------------------------------------------------------------- endpoint


def endpoint(url: str | None) -> str:
    """An endpoint as the openai client would reach it, spelt one way: no URL means
    OPENAI_BASE_URL or OpenAI's own; scheme and host lower case, default port and trailing
    slash dropped."""
    raw = (url or os.environ.get("OPENAI_BASE_URL") or OPENAI_DEFAULT).strip()
    try:
        parsed = httpx.URL(raw)
    except httpx.InvalidURL:
        return raw
    default_port = {"http": 80, "https": 443}.get(parsed.scheme)
    port = f":{parsed.port}" if parsed.port not in (None, default_port) else ""
    user = f"{parsed.userinfo.decode()}@" if parsed.userinfo else ""
    query = f"?{parsed.query.decode()}" if parsed.query else ""
    return f"{parsed.scheme}://{user}{parsed.host}{port}{parsed.path.rstrip('/')}{query}"


def _shown(url: str) -> str:
    """An endpoint for a message: without any user:password part."""
    try:
        return str(httpx.URL(url).copy_with(userinfo=b""))
    except httpx.InvalidURL:
        return "(an unparseable URL)"


def check_endpoint(spec: RunSpec, settings: Settings) -> str | None:
    """The base URL to build the run's LLM with: the one configured now. A run whose stored
    endpoint differs is refused, so the API key never goes where the state says."""
    stored, configured = endpoint(spec.llm_base_url), endpoint(settings.llm.base_url)
    if stored != configured:
        logger.warning(
            "run %s: stored LLM endpoint %s differs from the configured %s; refusing",
            spec.run_id,
            _shown(stored),
            _shown(configured),
        )
        raise InputError(
            f"run {spec.run_id} was started with the LLM endpoint {_shown(stored)}, but the "
            f"endpoint configured now is {_shown(configured)}; your API key goes only to the "
            "endpoint configured now, never to one read from stored state. If you trust "
            f"{_shown(stored)}, set REELWRIGHT_LLM_BASE_URL={_shown(stored)} and resume again; "
            "if you did not start the run against it, the state database was edited: start a "
            "new run"
        )
    return settings.llm.base_url


# --------------------------------------------------------------------------- paths


def check_out_dir(out_dir: str | Path, home: Path, run_id: str, package_id: str = "") -> Path:
    """A stored output folder, re-checked before a resume writes to it: stored resolved, so a
    symlink that now redirects it is refused; never inside (nor holding) the state folder; and
    the rules of `--out` (new, empty, or this run's own package)."""
    from reelwright.staging import claim_out, resolve_out

    stored = Path(out_dir)
    resolved = stored.resolve()
    if not stored.is_absolute() or resolved != stored:
        raise InputError(
            f"the stored output folder {stored} now resolves to {resolved} (a symlink or a "
            "relative path): refusing to write there; the state database may have been edited"
        )
    if inside(resolved, home):
        raise InputError(
            f"the stored output folder {stored} lies inside the state folder {home.resolve()}: "
            "refusing to write there; the state database may have been edited"
        )
    root = resolve_out(resolved, (home,))
    claim_out(
        root,
        run_id,
        package_id,
        hint=f"Move those files out of the folder, then `reelwright resume {run_id}`.",
    )
    return root


def check_sheet(sheet: Path, folder: Path | None, *, what: str, hint: str) -> None:
    """Refuse a character sheet outside `folder` (the bible's), symlinks resolved; with no
    folder (a Bible object built in Python) every sheet counts as outside."""
    if folder is not None and inside(sheet, folder):
        return
    where = f"the bible's folder {folder.resolve()}" if folder else "any bible's folder"
    raise InputError(f"{what} ({sheet.resolve()}) is outside {where}; {hint}")


def check_sheets(bible: Bible, bible_path: Path | None, *, allowed: bool) -> None:
    """Every sheet of `bible` inside the bible's folder, unless allowed."""
    if allowed:
        return
    folder = bible_path.resolve().parent if bible_path else None
    for character in bible.characters:
        if character.sheet:
            check_sheet(
                Path(character.sheet),
                folder,
                what=f"character {character.id}: sheet {character.sheet}",
                hint=f"pass {param('allow_outside_sheets', 'True')} to use it",
            )


def _check_input(path_text: str | None, what: str, home: Path, *, folder: bool = False) -> None:
    if not path_text:
        return
    path = Path(path_text)
    kind = "folder" if folder else "file"
    if not (path.is_dir() if folder else path.is_file()):
        raise InputError(
            f"the run's {what} {path} is no longer a {kind}: restore it, or start a new run"
        )
    if inside(path, home):
        raise InputError(
            f"the run's {what} {path} lies inside the state folder {home.resolve()}: refusing "
            "to read it; the state database may have been edited"
        )


def _model_paths(renderer: str) -> list[str]:
    if not renderer.startswith("diffusers:"):
        return []
    return [p for p in renderer.removeprefix("diffusers:").split("@", 1) if p]


def check_frames(state: EpisodeState, cache: RenderCache) -> None:
    """Each stored frame must be the cache's own file for its key: not a path elsewhere, and
    not another cache entry."""
    for result in state.renders:
        try:
            expected = cache.path(result.key)
        except ValueError:
            expected = None
        if expected is None or Path(result.path).resolve() != expected.resolve():
            raise InputError(
                f"run {state.run.run_id}: the stored frame of shot {result.shot_id} "
                f"({result.path}) is not the render cache's file for its key under "
                f"{cache.root.resolve()}: refusing to read it; the state database may have "
                "been edited, or REELWRIGHT_HOME (or REELWRIGHT_CACHE) differs from the one the "
                "run started with"
            )


def check_state(state: EpisodeState, settings: Settings) -> None:
    """Re-check every path a loaded run holds before a resume uses it (see the module doc)."""
    from reelwright.renderers.cache import RenderCache

    spec, home = state.run, settings.home
    check_out_dir(spec.out_dir, home, spec.run_id, spec.package_id)
    check_frames(state, RenderCache(settings.paths.cache))
    _check_input(spec.rights, "rights ledger", home)
    for watchlist in spec.watchlists:
        _check_input(watchlist, "watchlist", home)
    _check_input(spec.references, "references", home, folder=True)
    for model in _model_paths(spec.renderer):
        if inside(Path(model), home):
            raise InputError(
                f"the run's renderer model {model} lies inside the state folder "
                f"{home.resolve()}: refusing to load it; the state database may have been edited"
            )
    _check_stored_sheets(state, settings)


def _check_stored_sheets(state: EpisodeState, settings: Settings) -> None:
    spec = state.run
    sheets = [c for c in state.bible.characters if c.sheet]
    if not sheets:
        return
    bible_path = Path(spec.bible_path) if spec.bible_path else None
    if bible_path is not None:
        from reelwright.loading import parse, read_yaml
        from reelwright.models import Bible

        parse(Bible, read_yaml(bible_path, "the run's bible"), f"the run's bible {bible_path}")
    allowed = spec.allow_outside_sheets and settings.allow_sheets_outside
    if spec.allow_outside_sheets and not settings.allow_sheets_outside:
        hint = (
            f"the stored state says run {spec.run_id} was started with "
            f"{param('allow_outside_sheets', 'True')}; an allowance read from state alone is "
            "not enough: set "
            f"{ALLOW_SHEETS_ENV}=1 to confirm it and resume again"
        )
    else:
        hint = (
            f"run {spec.run_id} was not started with {param('allow_outside_sheets', 'True')}, "
            "so the state "
            "database may have been edited: refusing to read it"
        )
    folder = bible_path.resolve().parent if bible_path else None
    for character in sheets:
        sheet = Path(character.sheet or "")
        if inside(sheet, settings.home):
            raise InputError(
                f"character {character.id}: the stored sheet {sheet} lies inside the state "
                "folder: refusing to read it; the state database may have been edited"
            )
        if not allowed:
            check_sheet(sheet, folder, what=f"character {character.id}: sheet", hint=hint)
