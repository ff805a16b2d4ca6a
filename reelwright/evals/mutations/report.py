"""The mutation suite's report: `critic-mutations.json` (the versioned log) and a
self-contained `critic-mutations.html`, rendered from an autoescaped template."""

from __future__ import annotations

from pathlib import Path

from reelwright.evals.mutations.runner import MutationLog
from reelwright.paths import OutputDir

TEMPLATE = "critic_mutations.html"


def html_report(log: MutationLog) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reelwright.evals", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(TEMPLATE).render(log=log)


def write_reports(log: MutationLog, out: Path) -> dict[str, Path]:
    folder = OutputDir(out)
    return {
        "log": folder.write_text(log.to_json(indent=1), "critic-mutations.json"),
        "html": folder.write_text(html_report(log), "critic-mutations.html"),
    }
