"""``python -m bench.referrals`` (part of ``make bench``): referral programs' figures.

- the influence update per qualified invitee, along a chain deep enough that every update has
  three ancestors, under a KOC rule (3 downstream) that makes each update count and flag one:
  DynamoDB requests per invitee (goal: at most 3 x depth + 3 = 12);
- a qualification (count, rewards, budget in one transaction): DynamoDB requests per invitee;
- a leaderboard read: DynamoDB requests, of which queries (goal: one query);
- poster rendering: posters per second drawn by one process (a background, the name, the QR), the
  first one apart (it loads the font), and the PNG's size.

Writes ``bench/results/referrals.json``. The emulator is moto in-process: request counts are exact,
rates are the code path's plus the emulator's. Invitations are written directly in their stored
layout; qualification and the network update are called in the measuring thread (the pumps'
copies of the same work find it done).
"""

from __future__ import annotations

import itertools
import json
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench.__main__ import RequestCounter, call, write
from services.registry import SERVICES
from shared import aws

CHAIN = int(os.environ.get("SIYU_BENCH_REFERRAL_CHAIN", "200"))
POSTERS = int(os.environ.get("SIYU_BENCH_POSTERS", "50"))
DEPTH = 3
GOALS = {"influence_requests_per_invitee": 3 * DEPTH + 3, "leaderboard_queries": 1}


def _program(gateway: Any, admin: str) -> str:
    body = {
        "name": "bench",
        "kind": "referral",
        "points_budget": 1_000_000,
        "starts_at": "2026-01-01T00:00:00Z",
        "ends_at": "2036-01-01T00:00:00Z",
        "referral": {"stages": [{"invitees": 1, "points": 10}], "welcome_points": 5},
    }
    campaign_id = str(call(gateway, "POST", "/v1/campaigns", body, admin)["campaign_id"])
    call(gateway, "POST", f"/v1/campaigns/{campaign_id}/activate", {}, admin)
    # A rule every contact three above another crosses: each update counts and flags (the worst case).
    call(gateway, "PUT", "/v1/koc/rule", {"min_downstream": DEPTH}, admin)
    return campaign_id


def _chain(tenant: str, campaign_id: str) -> list[Any]:
    """Pending invitations c0 → c1 → … → c{CHAIN}, written in their stored layout."""
    from services.campaigns.dal import campaigns as campaigns_dal
    from services.campaigns.dal import referrals as referral_dal
    from services.campaigns.models import Invitation
    from shared.clock import now_rfc3339
    from shared.dynamo import Transaction

    members = [f"c{n:05d}" for n in range(CHAIN + 1)]
    invitations = []
    for inviter, invitee in itertools.pairwise(members):
        invitation = Invitation(
            tenant_id=tenant,
            campaign_id=campaign_id,
            invitee_id=invitee,
            inviter_id=inviter,
            code=f"code-{inviter}",
            status="pending",
            invited_at=now_rfc3339(),
        )
        tx = Transaction(campaigns_dal.table())
        referral_dal.invitation(invitation)(tx)
        tx.commit()
        invitations.append(invitation)
    return invitations


def _measured(counter: RequestCounter, work: Callable[[], Any]) -> tuple[Any, Counter[str], float]:
    """What ``work`` returned, the requests it made on this thread, and its seconds."""
    before = counter.answering_snapshot()
    counter.measuring = True
    started = time.perf_counter()
    try:
        result = work()
    finally:
        counter.measuring = False
    return result, counter.answering_snapshot() - before, time.perf_counter() - started


def _posters() -> dict[str, Any]:
    """Posters drawn in this process, each for another member (another link and name)."""
    import io

    from PIL import Image

    from services.campaigns.logic import posters

    buffer = io.BytesIO()
    Image.new("RGB", (1_080, 1_920), (180, 60, 40)).save(buffer, format="JPEG", quality=80)
    background = buffer.getvalue()
    started = time.perf_counter()
    first = posters.render("春季老带新", "会员0", "https://m.siyu.dev/scan?tenant=t&scene=member0", background)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for n in range(1, POSTERS + 1):
        posters.render("春季老带新", f"会员{n}", f"https://m.siyu.dev/scan?tenant=t&scene=member{n}", background)
    seconds = time.perf_counter() - started
    return {
        "posters": POSTERS,
        "posters_per_second": round(POSTERS / seconds, 1),
        "milliseconds_each": round(1_000 * seconds / POSTERS, 1),
        "first_milliseconds": round(1_000 * first_seconds, 1),
        "png_kib": round(len(first) / 1024, 1),
    }


def main() -> None:
    from local.stack import LocalStack
    from services.campaigns.logic import influence, qualification
    from shared.clock import utc_now
    from shared.events.campaigns import InviteeQualified

    stack = LocalStack(SERVICES, schedule_seconds=10**9).start()
    counter = RequestCounter()
    aws.instrument(counter)
    gateway = stack.gateway
    assert gateway is not None
    try:
        tenant = f"bench-ref-{uuid.uuid4().hex[:6]}"
        dev = {"tenant_id": tenant, "staff_id": "a1", "roles": ["admin"]}
        admin = str(call(gateway, "POST", "/v1/auth/dev-token", dev)["token"])
        campaign_id = _program(gateway, admin)
        invitations = _chain(tenant, campaign_id)
        stack.queue_pumps["campaigns-influence"].signal_stop()  # the network is built here, counted

        def qualify_all() -> None:
            for invitation in invitations:
                qualification.qualify(tenant, invitation, "phone_bound", utc_now())

        def join_all() -> None:
            for invitation in invitations:
                event = InviteeQualified(
                    campaign_id=campaign_id,
                    inviter_id=invitation.inviter_id,
                    invitee_id=invitation.invitee_id,
                    action="phone_bound",
                    counted=True,
                    qualified=1,
                    qualified_at=utc_now(),
                )
                influence.on_qualified(tenant, event)

        _, qualify_calls, qualify_seconds = _measured(counter, qualify_all)
        _, influence_calls, influence_seconds = _measured(counter, join_all)
        path = f"/v1/campaigns/{campaign_id}/leaderboard?limit=50"
        board, board_calls, _ = _measured(counter, lambda: call(gateway, "GET", path, {}, admin))
        invitees = len(invitations)
        posters_drawn = _posters()
        report: dict[str, Any] = {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "qualification": {
                "invitees": invitees,
                "dynamodb_requests_per_invitee": round(RequestCounter.dynamodb(qualify_calls) / invitees, 2),
                "qualifications_per_second": round(invitees / qualify_seconds, 1),
            },
            "influence_update": {
                "invitees": invitees,
                "depth": DEPTH,
                "dynamodb_requests_per_invitee": round(RequestCounter.dynamodb(influence_calls) / invitees, 2),
                "by_operation": {name: n for name, n in influence_calls.items() if name.startswith("dynamodb.")},
                "updates_per_second": round(invitees / influence_seconds, 1),
                "kocs_flagged": len(influence.kocs(tenant, 200, None).items),
                "goal_requests_per_invitee": GOALS["influence_requests_per_invitee"],
            },
            "leaderboard": {
                "rows": len(board["items"]),
                "dynamodb_queries": board_calls["dynamodb.Query"],
                "dynamodb_requests": RequestCounter.dynamodb(board_calls),
                "goal_queries": GOALS["leaderboard_queries"],
            },
            "poster": posters_drawn,
        }
    finally:
        stack.stop()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nwritten to {write('referrals.json', report)}")


if __name__ == "__main__":
    main()
