"""Campaigns HTTP API: parse, authorise, call the logic, shape the answer. No rules here."""

from __future__ import annotations

from typing import Annotated, Any

from services.campaigns.logic import campaigns, codes, influence, koc_tasks, posters, referrals, scans, shares, stats
from services.campaigns.models import (
    MAX_DEPTH,
    CampaignCreate,
    CampaignDailyStats,
    CampaignList,
    CampaignPatch,
    CampaignStats,
    CampaignView,
    CodeCreate,
    CodeList,
    CodeView,
    InvitationList,
    InvitationStatus,
    KocList,
    KocRule,
    KocSubmission,
    KocSubmissionList,
    KocTaskCreate,
    KocTaskList,
    KocTaskView,
    Leaderboard,
    MyKocTask,
    MyKocTaskList,
    MyReferralList,
    Network,
    PosterBackground,
    ScanAccepted,
    ScanRequest,
    ShareRecorded,
    ShareRequest,
)
from services.campaigns.service import SERVICE
from shared.http import Response, ServiceApi
from shared.params import Cursor, Days, Id, Limit, Path, Query

api = ServiceApi(SERVICE)
api.add_health_route()

CampaignId = Id
TaskId = Id
ContactId = Id
CodeValue = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


@api.route("POST /v1/campaigns", status=201, idempotent=True)
def create_campaign(body: CampaignCreate) -> CampaignView:
    """Create a campaign, as a draft (accepts Idempotency-Key)."""
    return campaigns.create(api.staff().tenant_id, body, api.idempotency_key())


@api.route("GET /v1/campaigns")
def list_campaigns(limit: Limit = 50, cursor: Cursor = None) -> CampaignList:
    """List campaigns, newest first."""
    found, next_cursor = campaigns.list_all(api.staff().tenant_id, limit, cursor)
    return CampaignList(items=[CampaignView.of(c) for c in found], next_cursor=next_cursor)


@api.route("GET /v1/campaigns/daily-stats")
def daily_stats(days: Days = 30) -> CampaignDailyStats:
    """Scans, acquisitions and conversions per day over the last days, across campaigns, oldest first."""
    return stats.daily_stats(api.staff().tenant_id, days)


@api.route("GET /v1/campaigns/{campaign_id}")
def get_campaign(campaign_id: CampaignId) -> CampaignView:
    """Read a campaign."""
    return CampaignView.of(campaigns.get(api.staff().tenant_id, campaign_id))


@api.route("PATCH /v1/campaigns/{campaign_id}")
def patch_campaign(campaign_id: CampaignId, body: CampaignPatch) -> CampaignView:
    """Change a campaign's name, brand, schedule, rewards or budget (not once ended)."""
    return CampaignView.of(campaigns.update(api.staff().tenant_id, campaign_id, body))


@api.route("POST /v1/campaigns/{campaign_id}/activate")
def activate(campaign_id: CampaignId) -> CampaignView:
    """Start (or resume) a campaign: draft or paused → active."""
    return CampaignView.of(campaigns.transition(api.staff().tenant_id, campaign_id, "active"))


@api.route("POST /v1/campaigns/{campaign_id}/pause")
def pause(campaign_id: CampaignId) -> CampaignView:
    """Pause an active campaign: scans are still recorded but convert nothing."""
    return CampaignView.of(campaigns.transition(api.staff().tenant_id, campaign_id, "paused"))


@api.route("POST /v1/campaigns/{campaign_id}/end")
def end(campaign_id: CampaignId) -> CampaignView:
    """End a campaign for good."""
    return CampaignView.of(campaigns.transition(api.staff().tenant_id, campaign_id, "ended"))


@api.route("POST /v1/campaigns/{campaign_id}/codes", status=201, idempotent=True)
def create_code(campaign_id: CampaignId, body: CodeCreate) -> CodeView:
    """Create a channel code for a channel, optionally a store and a staff member (accepts Idempotency-Key)."""
    return codes.create(api.staff(), campaign_id, body, api.idempotency_key())


@api.route("GET /v1/campaigns/{campaign_id}/codes")
def list_codes(campaign_id: CampaignId, limit: Limit = 50, cursor: Cursor = None) -> CodeList:
    """List a campaign's codes (a guide sees their own)."""
    found, next_cursor = codes.list_codes(api.staff(), campaign_id, limit, cursor)
    return CodeList(items=[CodeView.of(c) for c in found], next_cursor=next_cursor)


@api.route("GET /v1/campaigns/{campaign_id}/stats")
def campaign_stats(campaign_id: CampaignId) -> CampaignStats:
    """Funnel figures: scans, unique scanners, acquired, engaged, points, by code, channel and staff."""
    return stats.stats(api.staff(), campaign_id)


def _qr(code: str, kind: str, content_type: str) -> Response[bytes]:
    found = codes.visible_code(api.staff(), code)
    return Response(
        status_code=200,
        content_type=content_type,
        body=codes.qr_image(found.url, kind),
        headers={"Cache-Control": "private, max-age=86400"},
    )


@api.route("GET /v1/codes/{code}/qr.svg", media_type="image/svg+xml")
def qr_svg(code: CodeValue) -> Response[bytes]:
    """The code as a QR image (SVG) that opens the tenant's entry with the code."""
    return _qr(code, "svg", "image/svg+xml")


@api.route("GET /v1/codes/{code}/qr.png", media_type="image/png")
def qr_png(code: CodeValue) -> Response[bytes]:
    """The code as a QR image (PNG)."""
    return _qr(code, "png", "image/png")


@api.route("POST /v1/scans", status=202, errors=(404, 409))
def scan(body: ScanRequest) -> ScanAccepted:
    """A member scanned a channel code: recorded now, attributed and rewarded through events."""
    return ScanAccepted(scan_id=scans.scan(api.member(), body))


@api.route("GET /v1/campaigns/{campaign_id}/invitations")
def list_invitations(
    campaign_id: CampaignId,
    status: Annotated[InvitationStatus | None, Query()] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> InvitationList:
    """A referral program's invitations, newest first: pending, qualified, and rejected with the reason."""
    return referrals.invitations(api.staff().tenant_id, campaign_id, status, limit, cursor)


@api.route("GET /v1/campaigns/{campaign_id}/leaderboard")
def leaderboard(campaign_id: CampaignId, limit: Limit = 50, cursor: Cursor = None) -> Leaderboard:
    """A referral program's inviters, most qualified invitees first."""
    return referrals.leaderboard(api.staff().tenant_id, campaign_id, limit, cursor)


@api.route("GET /v1/contacts/{contact_id}/network")
def contact_network(
    contact_id: Id,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH, description="How many levels down, 1 to 3.")] = MAX_DEPTH,
) -> Network:
    """The contacts this contact brought through invitations, to ``depth``, with its influence."""
    return influence.network(api.staff().tenant_id, contact_id, depth)


@api.route("GET /v1/koc")
def list_kocs(limit: Limit = 50, cursor: Cursor = None) -> KocList:
    """The tenant's KOCs, the latest flagged first, with their influence."""
    return influence.kocs(api.staff().tenant_id, limit, cursor)


@api.route("POST /v1/koc/tasks", status=201, errors=(404,))
def create_koc_task(body: KocTaskCreate) -> KocTaskView:
    """Set a task for the tenant's KOCs in a referral program, paid from its budget."""
    return koc_tasks.create(api.staff(), body)


@api.route("GET /v1/koc/tasks")
def list_koc_tasks(limit: Limit = 50, cursor: Cursor = None) -> KocTaskList:
    """The tenant's KOC tasks, newest first."""
    return koc_tasks.listed(api.staff().tenant_id, limit, cursor)


@api.route("POST /v1/koc/tasks/{task_id}/end", errors=(404, 409))
def end_koc_task(task_id: TaskId) -> KocTaskView:
    """End a task: nothing counts for it any more."""
    return koc_tasks.end(api.staff(), task_id)


@api.route("GET /v1/koc/tasks/{task_id}/submissions", errors=(404,))
def koc_task_submissions(task_id: TaskId, limit: Limit = 50, cursor: Cursor = None) -> KocSubmissionList:
    """The task's reviews waiting for a manager, oldest first."""
    return koc_tasks.submissions(api.staff(), task_id, limit, cursor)


@api.route("POST /v1/koc/tasks/{task_id}/submissions/{contact_id}/approve", status=204, errors=(404, 409))
def approve_koc_submission(task_id: TaskId, contact_id: ContactId) -> None:
    """Approve a KOC's review: the task is done and its reward paid (within the program's budget)."""
    koc_tasks.decide(api.staff(), task_id, contact_id, approved=True)


@api.route("POST /v1/koc/tasks/{task_id}/submissions/{contact_id}/reject", status=204, errors=(404, 409))
def reject_koc_submission(task_id: TaskId, contact_id: ContactId) -> None:
    """Reject a KOC's review: nothing is paid; the KOC may submit again."""
    koc_tasks.decide(api.staff(), task_id, contact_id, approved=False)


@api.route("GET /v1/me/koc-tasks")
def my_koc_tasks() -> MyKocTaskList:
    """The active KOC tasks with the member's progress, if the member is a KOC."""
    return koc_tasks.mine(api.member())


@api.route("POST /v1/me/koc-tasks/{task_id}/submissions", status=201, errors=(404, 409))
def submit_koc_review(task_id: TaskId, body: KocSubmission) -> MyKocTask:
    """A KOC submits the link of their review for a manager to approve."""
    return koc_tasks.submit(api.member(), task_id, body)


@api.route("GET /v1/koc/rule")
def get_koc_rule() -> KocRule:
    """The tenant's influence score weights and KOC rule (the defaults until an admin sets them)."""
    return influence.rule(api.staff().tenant_id)


@api.route("PUT /v1/koc/rule")
def put_koc_rule(body: KocRule) -> KocRule:
    """Set the weights and the KOC rule; contacts are judged by it from their next change on."""
    return influence.set_rule(api.staff().tenant_id, body)


@api.route("PUT /v1/campaigns/{campaign_id}/poster", status=204)
def put_poster(campaign_id: CampaignId, body: PosterBackground) -> None:
    """Set a referral program's poster background (a PNG or JPEG, base64): its members' posters are
    drawn on it."""
    posters.set_background(api.staff(), campaign_id, body)


@api.route("GET /v1/campaigns/{campaign_id}/poster.png", media_type="image/png", errors=(503,))
def sample_poster(campaign_id: CampaignId) -> Response[bytes]:
    """What the program's posters look like: a sample member's, on the program's background."""
    return Response(
        status_code=200,
        content_type="image/png",
        body=posters.sample_poster(api.staff(), campaign_id),
        headers={"Cache-Control": "private, no-cache"},
    )


@api.route("DELETE /v1/campaigns/{campaign_id}/poster", status=204)
def delete_poster(campaign_id: CampaignId) -> None:
    """Remove the program's poster background: posters are drawn on the default backdrop."""
    posters.remove_background(api.staff(), campaign_id)


@api.route("GET /v1/me/referrals/poster.png", media_type="image/png", errors=(404, 503))
def my_poster(
    campaign_id: Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    name: Annotated[
        str | None,
        Query(min_length=1, max_length=40, description="The member's name on it (the first 12 characters are drawn)."),
    ] = None,
) -> Response[bytes]:
    """The member's poster of a program open now (PNG): the program's background, its name, the
    member's name as given (WeChat gives servers none) and the QR of the member's invite link."""
    return Response(
        status_code=200,
        content_type="image/png",
        body=posters.my_poster(api.member(), campaign_id, name),
        headers={"Cache-Control": "private, max-age=300"},
    )


@api.route("POST /v1/me/shares", status=201, errors=(404,))
def share(body: ShareRequest) -> ShareRecorded:
    """A member shared their invite link of a program open now: recorded for the statistics, paid
    nothing (share rewards pay for the new visitors it brings)."""
    return shares.share(api.member(), body)


@api.route("GET /v1/me/referrals")
def my_referrals() -> MyReferralList:
    """The referral programs open now, each with the member's own invite link (made on first sight),
    stage progress, latest invitees and rewards."""
    return referrals.mine(api.member())


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return api.handle(event, context)
