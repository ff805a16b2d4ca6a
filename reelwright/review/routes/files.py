"""A run's package files (contact sheet, frames, animatic), for a signed-in page or a bearer
token, and only those the package's run.json lists. The stylesheet is mounted at `/static`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from reelwright.review.routes.deps import ReviewDep, api_reviewer, session_of
from reelwright.review.views import package_file, run_view

router = APIRouter()


@router.get("/runs/{run_id}/files/{name:path}")
def run_file(run_id: str, name: str, request: Request, review: ReviewDep) -> Response:
    if session_of(request, review) is None:
        api_reviewer(request, review)  # AuthError (401) without a valid token either
    view = run_view(run_id, review.settings)
    if name == "animatic.vtt":  # the subtitles as browsers take them, from the listed SRT
        srt = package_file(view, "animatic.srt").read_text(encoding="utf-8")
        return Response(srt_to_vtt(srt), media_type="text/vtt; charset=utf-8")
    return FileResponse(package_file(view, name))


def srt_to_vtt(srt: str) -> str:
    """WebVTT from SRT: a header, and `,` for `.` in the cue timings."""
    lines = ["WEBVTT", ""]
    for line in srt.replace("\r\n", "\n").split("\n"):
        if "-->" in line:
            line = line.replace(",", ".")
        lines.append(line)
    return "\n".join(lines)
