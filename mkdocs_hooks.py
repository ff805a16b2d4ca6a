"""MkDocs hooks: the site's landing page is the README itself (one copy of the tour), with
its links into docs/ made relative to the site."""

from __future__ import annotations

from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent / "README.md"


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if page.file.src_uri == "index.md":
        return README.read_text(encoding="utf-8").replace("](docs/", "](")
    return markdown
