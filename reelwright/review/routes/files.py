"""A run's package files (contact sheet, frames, animatic), for a signed-in page or a bearer
token, and only those the package's run.json lists. The stylesheet is mounted at `/static`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from reelwright.review.routes.common import ReviewDep, api_reviewer, session_of
from reelwright.review.views import package_file, run_view

router = APIRouter()


@router.get("/runs/{run_id}/files/{name:path}")
def run_file(run_id: str, name: str, request: Request, review: ReviewDep) -> FileResponse:
    if session_of(request, review) is None:
        api_reviewer(request, review)  # AuthError (401) without a valid token either
    return FileResponse(package_file(run_view(run_id, review.settings), name))
