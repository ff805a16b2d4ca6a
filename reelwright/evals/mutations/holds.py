"""Timing: a shot held far past what its framing bears, and a scene that overruns (or starves)
its share of the runtime."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from reelwright.evals.mutations.base import Change, Defect, Mutator
from reelwright.evals.mutations.episode import CleanEpisode, replace_shots
from reelwright.models import CameraMove, Framing, Shot, ShotList

LONG_HOLD = Defect("long_hold", "pacing", "director", "hold too long for its framing")
SCENE_OVER_BUDGET = Defect("scene_budget", "pacing", "director", "scene against its time budget")

HOLDS = {  # variant -> (framings it applies to, new duration)
    "close_up_28s": ((Framing.close,), 28.0),
    "extreme_close_12s": ((Framing.extreme_close,), 12.0),
    "medium_30s": ((Framing.medium,), 30.0),
    "wide_45s_static": ((Framing.wide, Framing.extreme_wide), 45.0),
}


def _hold(variant: str, *, compensated: bool = False) -> Callable[[CleanEpisode], Iterator[Change]]:
    framings, seconds = HOLDS[variant]

    def changes(episode: CleanEpisode) -> Iterator[Change]:
        for shot in episode.shots.shots:
            if shot.framing not in framings:
                continue
            update: dict[str, object] = {"duration_s": seconds}
            if variant == "wide_45s_static":
                update |= {"camera_move": CameraMove.static, "dialogue": []}
            long = shot.model_copy(update=update)
            shots: ShotList | None = replace_shots(episode.shots, long)
            if compensated and shots is not None:  # others trimmed: the runtime is kept
                shots = _fit(shots, episode.brief.runtime_s, keep=shot.id)
            if shots is None:
                continue
            yield Change(
                site=shot.id,
                description=f"{shot.framing.value} shot {shot.id} held {seconds:.0f} s "
                f"(was {shot.duration_s:g} s)" + (", others trimmed" if compensated else ""),
                script=episode.script,
                shots=shots,
                shot_ids=(shot.id,),
            )

    return changes


def _fit(shots: ShotList, runtime: float, keep: str) -> ShotList | None:
    """Every shot but `keep` scaled so the total is `runtime`; None if that cannot be done
    with holds of at least a second."""
    fixed = sum(s.duration_s for s in shots.shots if s.id == keep)
    rest = [s for s in shots.shots if s.id != keep]
    scale = (runtime - fixed) / sum(s.duration_s for s in rest)
    if scale <= 0 or any(s.duration_s * scale < 1.0 for s in rest):
        return None
    trimmed = [s.model_copy(update={"duration_s": round(s.duration_s * scale, 2)}) for s in rest]
    return replace_shots(shots, *trimmed)


def _scaled(scene_shots: list[Shot], factor: float) -> list[Shot]:
    return [
        s.model_copy(update={"duration_s": max(0.5, round(s.duration_s * factor, 2))})
        for s in scene_shots
    ]


def _budget(kind: str) -> Callable[[CleanEpisode], Iterator[Change]]:
    def changes(episode: CleanEpisode) -> Iterator[Change]:
        for scene in episode.script.scenes:
            scene_shots = episode.shots.for_scene(scene.id)
            length = sum(s.duration_s for s in scene_shots)
            if kind == "padded":  # the scene's shots run twice, as new shots after them
                extra = [
                    s.model_copy(update={"id": f"{s.id}-again", "dialogue": []})
                    for s in scene_shots
                ]
                at = episode.shots.shots.index(scene_shots[-1]) + 1
                shots = episode.shots.model_copy(
                    update={"shots": [*episode.shots.shots[:at], *extra, *episode.shots.shots[at:]]}
                )
                what = f"{scene.id} padded with a second pass of its shots ({2 * length:g} s)"
            elif kind == "starved":
                shots = replace_shots(episode.shots, *_scaled(scene_shots, 0.35))
                what = f"{scene.id} cut to 35% of its length ({0.35 * length:.1f} s)"
            else:  # stretched by 80%, the other scenes squeezed: the runtime is kept
                rest = [x for x in episode.shots.shots if x.scene_id != scene.id]
                rest_len = sum(x.duration_s for x in rest)
                gain = 0.8 * length
                shots = replace_shots(
                    episode.shots,
                    *_scaled(scene_shots, 1.8),
                    *_scaled(rest, (rest_len - gain) / rest_len),
                )
                what = f"{scene.id} stretched by {gain:.1f} s taken from the other scenes"
            yield Change(
                site=scene.id,
                description=what,
                script=episode.script,
                shots=shots,
                scene_ids=(scene.id,),
            )

    return changes


MUTATORS: tuple[Mutator, ...] = (
    Mutator(LONG_HOLD, "close_up_28s", _hold("close_up_28s")),
    Mutator(LONG_HOLD, "close_up_28s_runtime_kept", _hold("close_up_28s", compensated=True)),
    Mutator(LONG_HOLD, "extreme_close_12s", _hold("extreme_close_12s")),
    Mutator(LONG_HOLD, "medium_30s", _hold("medium_30s")),
    Mutator(LONG_HOLD, "wide_45s_static", _hold("wide_45s_static")),
    Mutator(SCENE_OVER_BUDGET, "padded", _budget("padded")),
    Mutator(SCENE_OVER_BUDGET, "starved", _budget("starved")),
    Mutator(SCENE_OVER_BUDGET, "stretched_runtime_kept", _budget("stretched")),
)
