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
- the LLM endpoint: `reelwright.llm.endpoint.check_endpoint`, from `build_context`.

Each rule lives with what it guards (`staging.check_out_dir`, `loading.check_sheet`,
`RenderCache.path`); this module applies them to a loaded run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from reelwright.errors import InputError, param
from reelwright.loading import check_sheet
from reelwright.paths import inside
from reelwright.staging import check_out_dir

if TYPE_CHECKING:
    from reelwright.config import Settings
    from reelwright.graphs.state import EpisodeState
    from reelwright.renderers.cache import RenderCache

ALLOW_SHEETS_ENV = "REELWRIGHT_ALLOW_SHEETS_OUTSIDE"


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
