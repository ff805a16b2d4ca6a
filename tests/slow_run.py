"""A run in its own process whose renderer is slowed down, for tests that kill it or race it:
`python -m tests.slow_run HOME OUT BRIEF RUN_ID [MAX_ITERATIONS]` prints the final status."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator

from reelwright.api import run_episode
from reelwright.config import Settings
from reelwright.renderers.base import RenderedFrame
from reelwright.renderers.storyboard import StoryboardRenderer


class SlowStoryboard(StoryboardRenderer):
    def render(self, jobs, references=None, progress=None):  # type: ignore[no-untyped-def]
        frames: Iterator[RenderedFrame] = super().render(jobs, references, progress)
        for frame in frames:
            time.sleep(0.4)
            yield frame


def main() -> None:
    home, out, brief, run_id, *rest = sys.argv[1:]
    outcome = run_episode(
        brief,
        out=out,
        auto_approve=True,
        llm=None,
        run_id=run_id,
        renderer=SlowStoryboard(),
        settings=Settings(home=home),
        max_iterations=int(rest[0]) if rest else None,
    )
    print(outcome.status)


if __name__ == "__main__":
    main()
