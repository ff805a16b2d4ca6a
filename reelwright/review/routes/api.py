"""The JSON API: every route needs `Authorization: Bearer <token>`; errors are
`{"error": …}` from the app's one exception handler."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from reelwright.approval.reviewers import Reviewer
from reelwright.review.guards import read_json_object
from reelwright.review.routes.deps import ReviewDep, api_reviewer, take_decision
from reelwright.review.views import run_view

router = APIRouter(prefix="/api")
ApiReviewer = Annotated[Reviewer, Depends(api_reviewer)]


@router.get("/runs")
def runs(review: ReviewDep, _: ApiReviewer) -> JSONResponse:
    from reelwright.api import pending_runs

    runs = pending_runs(settings=review.settings)
    return JSONResponse({"runs": [gate.model_dump(mode="json") for gate in runs]})


@router.get("/runs/{run_id}")
def run(run_id: str, review: ReviewDep, _: ApiReviewer) -> JSONResponse:
    return JSONResponse(run_view(run_id, review.settings).model_dump(mode="json"))


@router.post("/runs/{run_id}/decision")
async def decision(
    run_id: str, request: Request, review: ReviewDep, reviewer: ApiReviewer
) -> JSONResponse:
    body = read_json_object(await request.body())
    outcome = await run_in_threadpool(take_decision, review.settings, run_id, body, reviewer)
    return JSONResponse(
        {
            "run_id": outcome.run_id,
            "status": outcome.status,
            "gate": outcome.gate.model_dump(mode="json") if outcome.gate else None,
            "by": reviewer.name,
        }
    )
