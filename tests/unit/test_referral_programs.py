"""Referral (裂变) programs: a campaign of kind referral with increasing stages, a welcome reward,
a budget no reward exceeds and per-inviter caps; bad programs are refused naming the field."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from services.campaigns.dal import campaigns as campaigns_dal
from services.campaigns.dal import referrals as referral_dal
from services.campaigns.logic import clawback, influence, qualification
from services.campaigns.models import Invitation
from shared.clock import now_rfc3339, parse_rfc3339, utc_now
from shared.dynamo import Transaction
from tests.unit.conftest import Client, eventually
from tests.unit.test_points_api import publish

SCHEDULE = {"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2036-01-01T00:00:00Z"}


def program(**referral: Any) -> dict[str, Any]:
    rules = {
        "stages": [{"invitees": 3, "points": 100}, {"invitees": 10, "points": 500}],
        "welcome_points": 20,
        "qualifying_action": "phone_bound",
        "per_inviter_cap": 20,
        "clawback_days": 7,
    } | referral
    return {"name": "老带新", "kind": "referral", "points_budget": 5_000, "referral": rules, **SCHEDULE}


def problem_fields(answer: Any) -> list[str]:
    return [".".join(str(part) for part in error["loc"]) for error in answer.json.get("errors", [])]


def test_a_referral_program_keeps_its_stages_welcome_and_caps(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    made = client.post("/v1/campaigns", json_body=program(), token=admin)
    assert made.status == 201, made.body
    assert made.json["kind"] == "referral"
    assert made.json["referral"]["stages"] == [{"invitees": 3, "points": 100}, {"invitees": 10, "points": 500}]
    read = client.get(f"/v1/campaigns/{made.json['campaign_id']}", token=admin).json
    assert read["referral"] == made.json["referral"]
    standard = client.post("/v1/campaigns", json_body={"name": "春季", **SCHEDULE}, token=admin)
    assert (standard.json["kind"], standard.json["referral"]) == ("standard", None)

    campaign_id = made.json["campaign_id"]
    later = {**program()["referral"], "stages": [{"invitees": 2, "points": 50}, {"invitees": 5, "points": 300}]}
    patched = client.patch(f"/v1/campaigns/{campaign_id}", json_body={"referral": later}, token=admin)
    assert patched.status == 200, patched.body
    assert patched.json["referral"]["stages"][0] == {"invitees": 2, "points": 50}


def test_bad_programs_are_refused_naming_what_is_wrong_and_change_nothing(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    flat = program(stages=[{"invitees": 3, "points": 100}, {"invitees": 3, "points": 200}])
    refused = client.post("/v1/campaigns", json_body=flat, token=admin)
    assert refused.status == 422
    assert "stage 2 must need more invitees than stage 1" in str(refused.json)
    assert "body.referral" in problem_fields(refused)

    too_rich = program(stages=[{"invitees": 3, "points": 6_000}])
    refused = client.post("/v1/campaigns", json_body=too_rich, token=admin)
    assert refused.status == 422
    assert "above the points budget" in str(refused.json)
    assert client.post("/v1/campaigns", json_body=program(welcome_points=9_999), token=admin).status == 422
    assert client.post("/v1/campaigns", json_body=program(stages=[]), token=admin).status == 422
    without_rules = {"name": "x", "kind": "referral", **SCHEDULE}
    assert client.post("/v1/campaigns", json_body=without_rules, token=admin).status == 422
    rules_on_standard = {**program(), "kind": "standard"}
    assert client.post("/v1/campaigns", json_body=rules_on_standard, token=admin).status == 422
    assert client.get("/v1/campaigns", token=admin).json["items"] == []

    made = client.post("/v1/campaigns", json_body=program(), token=admin).json
    cut = client.patch(f"/v1/campaigns/{made['campaign_id']}", json_body={"points_budget": 400}, token=admin)
    assert cut.status == 422  # the 500-point stage would be above it
    standard = client.post("/v1/campaigns", json_body={"name": "春季", **SCHEDULE}, token=admin).json
    given = client.patch(
        f"/v1/campaigns/{standard['campaign_id']}", json_body={"referral": program()["referral"]}, token=admin
    )
    assert given.status == 422
    assert client.get(f"/v1/campaigns/{made['campaign_id']}", token=admin).json["points_budget"] == 5_000


def test_a_member_gets_one_invite_link_per_open_program_and_an_invitees_scan_counts_for_the_program(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    made = client.post("/v1/campaigns", json_body=program(), token=admin).json
    campaign_id = made["campaign_id"]
    ended = client.post("/v1/campaigns", json_body={**program(), "name": "已结束"}, token=admin).json
    client.post("/v1/campaigns", json_body={"name": "春季", **SCHEDULE}, token=admin)  # not a referral
    for opened in (campaign_id, ended["campaign_id"]):
        assert client.post(f"/v1/campaigns/{opened}/activate", token=admin).status == 200
    assert client.post(f"/v1/campaigns/{ended['campaign_id']}/end", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-inviter")

    # The first looks come at once: one code is made, and every look answers it.
    looks: list[Any] = []
    threads = [
        threading.Thread(target=lambda: looks.append(client.get("/v1/me/referrals", token=inviter["token"])))
        for _ in range(5)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [look.status for look in looks] == [200] * 5
    [mine] = looks[0].json["items"]
    assert {look.json["items"][0]["code"] for look in looks} == {mine["code"]}
    assert (mine["campaign_id"], mine["welcome_points"], mine["qualifying_action"]) == (campaign_id, 20, "phone_bound")
    assert f"scene={mine['code']}" in mine["url"]
    assert f"tenant={tenant}" in mine["url"]
    assert client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"] == mine["code"]
    other = client.member_login(tenant, "dev:o-other")
    assert client.get("/v1/me/referrals", token=other["token"]).json["items"][0]["code"] != mine["code"]
    stranger = client.member_login(f"{tenant}-b", "dev:o-inviter")
    assert client.get("/v1/me/referrals", token=stranger["token"]).json["items"] == []
    assert client.get("/v1/me/referrals", token=admin).status == 403

    # An invite link of a program that ended says so and records no scan; another tenant's is no code.
    closed = client.post(f"/v1/campaigns/{campaign_id}/pause", token=admin)
    assert closed.status == 200
    late = client.member_login(tenant, "dev:o-late")
    refused = client.post("/v1/scans", json_body={"code": mine["code"]}, token=late["token"])
    assert refused.status == 409
    assert "not running" in refused.json["detail"]
    assert client.post("/v1/scans", json_body={"code": mine["code"]}, token=stranger["token"]).status == 404
    assert client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json["scans"] == 0
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200

    # Invite codes are not among the staff's codes, and have no statistics row of their own.
    assert client.get(f"/v1/campaigns/{campaign_id}/codes", token=admin).json["items"] == []
    invitee = client.member_login(tenant, "dev:o-invitee")
    assert client.post("/v1/scans", json_body={"code": mine["code"]}, token=invitee["token"]).status == 202
    stats = eventually(
        lambda: (s := client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json)["scans"] == 1 and s
    )
    assert stats["by_code"] == []
    assert [row["channel"] for row in stats["by_channel"]] == ["referral"]


def test_an_invite_link_brings_a_pending_invitee_and_rejects_a_self_invite_and_an_existing_contact(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    body = {**program(), "acquisition_points": 15}
    campaign_id = client.post("/v1/campaigns", json_body=body, token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-ref-inviter")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
    # Someone who was a contact before the invitation: brought in by a staff code of another campaign.
    spring = client.post("/v1/campaigns", json_body={"name": "春季", **SCHEDULE}, token=admin).json["campaign_id"]
    client.post(f"/v1/campaigns/{spring}/activate", token=admin)
    staff_code = client.post(f"/v1/campaigns/{spring}/codes", json_body={"channel": "poster"}, token=admin).json
    regular = client.member_login(tenant, "dev:o-ref-regular")
    client.post("/v1/scans", json_body={"code": staff_code["code"]}, token=regular["token"])
    eventually(lambda: client.get(f"/v1/campaigns/{spring}/stats", token=admin).json["acquired"] == 1)

    newcomer = client.member_login(tenant, "dev:o-ref-new")
    for member in (newcomer, regular, inviter, newcomer):  # the newcomer's second scan changes nothing
        assert client.post("/v1/scans", json_body={"code": link}, token=member["token"]).status == 202

    def listed(status: str | None = None) -> list[dict[str, Any]]:
        path = f"/v1/campaigns/{campaign_id}/invitations" + (f"?status={status}" if status else "")
        return list(client.get(path, token=admin).json["items"])

    eventually(lambda: len(listed()) == 3)
    by_invitee = {row["invitee_id"]: row for row in listed()}
    assert by_invitee[newcomer["contact_id"]] | {"invited_at": None} == {
        "invitee_id": newcomer["contact_id"],
        "inviter_id": inviter["contact_id"],
        "status": "pending",
        "reason": None,
        "invited_at": None,
        "qualified_at": None,
        "counted": None,
    }
    assert (by_invitee[regular["contact_id"]]["status"], by_invitee[regular["contact_id"]]["reason"]) == (
        "rejected",
        "not_new_contact",
    )
    assert by_invitee[inviter["contact_id"]]["reason"] == "self_invite"
    # Only the newcomer earns the program's acquisition points: a refused invitation earns none (the
    # conversions are written with their invitations, so the figure is final).
    assert client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json["points_awarded"] == 15
    eventually(lambda: balance(client, newcomer) == 15)
    assert balance(client, inviter) == 0
    assert [row["invitee_id"] for row in listed("pending")] == [newcomer["contact_id"]]
    assert len(listed("rejected")) == 2
    assert client.get(f"/v1/campaigns/{campaign_id}/invitations?status=lost", token=admin).status == 422
    guide = client.staff_token(tenant, roles=("guide",))
    assert client.get(f"/v1/campaigns/{campaign_id}/invitations", token=guide).status == 403
    other_admin = client.staff_token(f"{tenant}-b")
    assert client.get(f"/v1/campaigns/{campaign_id}/invitations", token=other_admin).status == 404


def invited_by(client: Client, tenant: str, link: str, openid: str, app_id: str = "wx-app") -> dict[str, Any]:
    """A new member who opened the invite link (in the mini-program, or the H5 of ``app_id``)."""
    member = client.member_login(tenant, f"dev:{openid}", app_id)
    assert client.post("/v1/scans", json_body={"code": link}, token=member["token"]).status == 202
    return member


def bind_phone(client: Client, member: dict[str, Any], phone: str) -> None:
    bound = client.post("/v1/me/phone", json_body={"code": f"dev-phone:{phone}"}, token=member["token"])
    assert bound.status == 200, bound.body


def balance(client: Client, member: dict[str, Any]) -> int:
    return int(client.get("/v1/me/points", token=member["token"]).json["balance"])


def test_invitees_who_bind_a_phone_qualify_and_the_stages_and_welcomes_are_paid_once(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}, {"invitees": 2, "points": 300}], "per_inviter_cap": 2}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-q-inviter")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]

    first = invited_by(client, tenant, link, "o-q-first")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 1)
    bind_phone(client, first, "+86 139 0000 1001")
    # The second binds a phone before the invitation is recorded: the invitation finds it done.
    second = client.member_login(tenant, "dev:o-q-second")
    bind_phone(client, second, "+86 139 0000 1002")
    assert client.post("/v1/scans", json_body={"code": link}, token=second["token"]).status == 202
    # The third comes over the inviter's cap: qualified, counted nowhere, still welcomed.
    third = invited_by(client, tenant, link, "o-q-third")
    bind_phone(client, third, "+86 139 0000 1003")

    qualified = eventually(
        lambda: (
            len(
                rows := client.get(f"/v1/campaigns/{campaign_id}/invitations?status=qualified", token=admin).json[
                    "items"
                ]
            )
            == 3
            and rows
        )
    )
    assert sorted(row["counted"] for row in qualified) == [False, True, True]
    eventually(lambda: balance(client, inviter) == 400)
    eventually(lambda: [balance(client, invitee) for invitee in (first, second, third)] == [20, 20, 20])
    mine = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]
    assert mine["qualified"] == 2
    rewards = sorted((r["kind"], r["stage"], r["points"]) for r in mine["rewards"])
    assert rewards == [("stage", 1, 100), ("stage", 2, 300)]
    assert [i["status"] for i in mine["invitees"]] == ["qualified"] * 3
    board = client.get(f"/v1/campaigns/{campaign_id}/leaderboard", token=admin).json["items"]
    assert board == [{"inviter_id": inviter["contact_id"], "qualified": 2, "points": 400}]
    stats = client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json
    assert (stats["qualified"], stats["points_awarded"]) == (3, 460)

    # The action again (another phone bound) pays nothing more.
    bind_phone(client, first, "+86 139 0000 1004")
    eventually(lambda: client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json["qualified"] == 3)
    assert balance(client, inviter) == 400
    guide = client.staff_token(tenant, roles=("guide",))
    assert client.get(f"/v1/campaigns/{campaign_id}/leaderboard", token=guide).status == 403
    other_admin = client.staff_token(f"{tenant}-b")
    assert client.get(f"/v1/campaigns/{campaign_id}/leaderboard", token=other_admin).status == 404


def pending_invitation(tenant: str, campaign_id: str, inviter_id: str, invitee_id: str) -> Invitation:
    invitation = Invitation(
        tenant_id=tenant,
        campaign_id=campaign_id,
        invitee_id=invitee_id,
        inviter_id=inviter_id,
        code=f"code-{inviter_id}",
        status="pending",
        invited_at=now_rfc3339(),
    )
    tx = Transaction(campaigns_dal.table())
    referral_dal.invitation(invitation)(tx)
    tx.commit()
    return invitation


def test_fifty_qualifications_at_once_against_a_budget_for_ten_stage_rewards_pay_exactly_ten(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}], "welcome_points": 0}
    body = program(**rules) | {"points_budget": 1_000}
    campaign_id = client.post("/v1/campaigns", json_body=body, token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    pairs = [(f"inviter-{n}-{uuid.uuid4().hex[:6]}", f"invitee-{n}-{uuid.uuid4().hex[:6]}") for n in range(50)]
    for inviter_id, invitee_id in pairs:
        pending_invitation(tenant, campaign_id, inviter_id, invitee_id)

    # Every qualification twice, all at once: the action's event delivered twice.
    errors: list[BaseException] = []

    def act(invitee_id: str) -> None:
        try:
            qualification.on_action(tenant, invitee_id, "phone_bound", utc_now())
        except BaseException as error:  # reported below, on the test's own thread
            errors.append(error)

    threads = [threading.Thread(target=act, args=(invitee,)) for _, invitee in pairs for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    rewards = [r for inviter, _ in pairs for r in referral_dal.rewards_of(tenant, inviter)]
    assert len(rewards) == 50  # every inviter reached stage 1 once
    assert sum(r.rewarded for r in rewards) == 10
    assert {r.unrewarded_reason for r in rewards if not r.rewarded} == {"budget_exhausted"}
    campaign = campaigns_dal.get_campaign(tenant, campaign_id)
    assert campaign is not None
    assert campaign.points_awarded == 1_000
    board = client.get(f"/v1/campaigns/{campaign_id}/leaderboard?limit=100", token=admin).json["items"]
    assert (len(board), sum(row["points"] for row in board)) == (50, 1_000)
    stats = client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json
    assert (stats["qualified"], stats["points_awarded"]) == (50, 1_000)


def wecom_event(client: Client, tenant: str, detail_type: str, external_userid: str, **fields: Any) -> None:
    data = {"corp_id": "ww-ref", "staff_id": "guide1", "external_userid": external_userid, "generation": 1}
    publish(tenant, detail_type, data | fields, source="siyu.wecom")


def test_wecom_fission_finds_each_invitees_inviter_through_one_shared_contact_way(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}], "qualifying_action": "wecom_added", "welcome_points": 0}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    # One contact way for the whole program (WeCom limits them per corp), its state the program's code.
    shared = client.post(f"/v1/campaigns/{campaign_id}/codes", json_body={"channel": "wecom"}, token=admin).json
    inviters, invitees = [], []
    for n in range(2):
        inviter = client.member_login(tenant, f"dev:o-wf-inviter-{n}")
        link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
        unionid = f"u-wf-{uuid.uuid4().hex[:8]}"
        # The invitee opens the inviter's poster link in the H5: the pending invitation is recorded on the
        # contact its unionid makes, before the add.
        invitees.append((invited_by(client, tenant, link, f"o-wf-{n}:{unionid}", "wx-h5"), unionid))
        inviters.append(inviter)
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 2)
    for n, (_, unionid) in enumerate(invitees):
        fields = {"unionid": unionid, "state": shared["code"], "added_at": now_rfc3339()}
        wecom_event(client, tenant, "WeComContactAdded", f"wm-wf-{n}", **fields)
    # Each add through the shared way found its own inviter, by the unionid's contact.
    eventually(lambda: [balance(client, inviter) for inviter in inviters] == [100, 100])
    rows = client.get(f"/v1/campaigns/{campaign_id}/invitations?status=qualified", token=admin).json["items"]
    assert sorted((row["inviter_id"], row["invitee_id"]) for row in rows) == sorted(
        (inviter["contact_id"], invitee["contact_id"]) for inviter, (invitee, _) in zip(inviters, invitees, strict=True)
    )


def test_an_invitee_who_deletes_the_staff_member_within_the_window_takes_the_rewards_back_once(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}], "qualifying_action": "wecom_added", "clawback_days": 7}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-cb-inviter")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
    unionid = f"u-cb-{uuid.uuid4().hex[:8]}"
    invitee = invited_by(client, tenant, link, f"o-cb-invitee:{unionid}")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 1)
    now = now_rfc3339()
    wecom_event(client, tenant, "WeComContactAdded", "wm-cb-1", unionid=unionid, added_at=now)
    eventually(lambda: (balance(client, inviter), balance(client, invitee)) == (100, 20))

    # Two days later the invitee deletes the staff member: both rewards go back, once.
    removal = {"removed_by": "customer", "removed_at": now}
    wecom_event(client, tenant, "WeComContactRemoved", "wm-cb-1", **removal)
    wecom_event(client, tenant, "WeComContactRemoved", "wm-cb-1", **removal)
    eventually(lambda: (balance(client, inviter), balance(client, invitee)) == (0, 0))
    [row] = client.get(f"/v1/campaigns/{campaign_id}/invitations?status=clawed_back", token=admin).json["items"]
    assert (row["invitee_id"], row["reason"]) == (invitee["contact_id"], "deleted_staff")
    board = client.get(f"/v1/campaigns/{campaign_id}/leaderboard", token=admin).json["items"]
    assert [(r["qualified"], r["points"]) for r in board] == [(0, 0)]
    stored = referral_dal.get_invitation(tenant, campaign_id, invitee["contact_id"])
    assert stored is not None
    campaign = campaigns_dal.get_campaign(tenant, campaign_id)
    assert campaign is not None
    clawback.claw_back(campaign, stored.model_copy(update={"status": "qualified"}), "deleted_staff", utc_now())
    entries = client.get("/v1/me/points/entries", token=inviter["token"]).json["items"]
    assert sorted(e["points"] for e in entries) == [-100, 100]

    # The stage reached again by another invitee is a new reward.
    second_unionid = f"u-cb-{uuid.uuid4().hex[:8]}"
    second = invited_by(client, tenant, link, f"o-cb-second:{second_unionid}")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 2)
    wecom_event(client, tenant, "WeComContactAdded", "wm-cb-2", unionid=second_unionid, added_at=now_rfc3339())
    eventually(lambda: (balance(client, inviter), balance(client, second)) == (100, 20))
    rewards = sorted(r.reward_id for r in referral_dal.rewards_of(tenant, inviter["contact_id"]))
    first_round = f"{campaign_id}:stage1:{inviter['contact_id']}"
    assert rewards == [first_round, f"{first_round}:2"]


def test_one_person_counted_twice_through_a_reused_phone_is_taken_back_with_its_reason(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}, {"invitees": 2, "points": 300}], "welcome_points": 0}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-ir-inviter")
    bind_phone(client, inviter, "+86 139 0000 2000")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
    first = invited_by(client, tenant, link, "o-ir-first")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 1)
    bind_phone(client, first, "+86 139 0000 2001")
    eventually(lambda: balance(client, inviter) == 100)

    # The first invitee opens the link again in the H5 (a new contact, by its openid there) and binds
    # the same phone: contacts merges the two. So does the inviter themself, with the inviter's phone.
    again = invited_by(client, tenant, link, "o-ir-again", "wx-h5")
    himself = invited_by(client, tenant, link, "o-ir-himself", "wx-h5")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 3)
    bind_phone(client, again, "+86 139 0000 2001")
    bind_phone(client, himself, "+86 139 0000 2000")

    def taken_back() -> list[dict[str, Any]] | None:
        rows = client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]
        decided = [row for row in rows if row["reason"] == "identity_reused"]
        return rows if len(decided) == 2 else None

    rows = eventually(taken_back)
    assert sorted(row["status"] for row in rows) in (
        ["qualified", "rejected", "rejected"],
        ["clawed_back", "clawed_back", "qualified"],
        ["clawed_back", "qualified", "rejected"],
    )
    # Whichever got counted first, one person counts once: the first stage only.
    eventually(lambda: balance(client, inviter) == 100)
    eventually(lambda: client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["qualified"] == 1)


def test_qualified_invitees_merged_into_an_older_customer_or_their_inviter_are_clawed_back_once(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}, {"invitees": 2, "points": 300}], "welcome_points": 0}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    customer = client.member_login(tenant, "dev:o-nn-customer")  # a customer before the program
    inviter = client.member_login(tenant, "dev:o-nn-inviter")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
    invitees = [invited_by(client, tenant, link, f"o-nn-invitee-{n}") for n in range(2)]
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 2)
    for n, invitee in enumerate(invitees):
        bind_phone(client, invitee, f"+86 139 0000 400{n}")
    eventually(lambda: balance(client, inviter) == 400)

    def merge(older: dict[str, Any], newer: dict[str, Any]) -> None:
        body = {"from_contact_id": newer["contact_id"], "reason": "same person"}
        assert client.post(f"/v1/contacts/{older['contact_id']}/merge", json_body=body, token=admin).status == 200

    def reasons() -> dict[str, tuple[str, str | None]]:
        rows = client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]
        return {row["invitee_id"]: (row["status"], row["reason"]) for row in rows}

    # Staff find the second invitee is the older customer under a new WeChat account: not new.
    merge(customer, invitees[1])
    eventually(lambda: reasons()[invitees[1]["contact_id"]] == ("clawed_back", "not_new_contact"))
    eventually(lambda: balance(client, inviter) == 100)
    # ...and the first is the inviter themself: one person counted through another identity.
    merge(inviter, invitees[0])
    eventually(lambda: reasons()[invitees[0]["contact_id"]] == ("clawed_back", "identity_reused"))
    eventually(lambda: balance(client, inviter) == 0)
    # The merges met again (a redelivery) take nothing more.
    clawback.on_merged(tenant, customer["contact_id"], invitees[1]["contact_id"], utc_now())
    clawback.on_merged(tenant, inviter["contact_id"], invitees[0]["contact_id"], utc_now())
    entries = client.get("/v1/me/points/entries", token=inviter["token"]).json["items"]
    referral = [e["points"] for e in entries if e["reason"] in ("referral", "referral_clawed_back")]
    assert sorted(referral) == [-300, -100, 100, 300]
    assert client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["qualified"] == 0


def test_a_second_contact_opening_invites_on_one_device_is_rejected_as_identity_reused(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    campaign_id = client.post("/v1/campaigns", json_body=program(), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-dv-inviter")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
    device = f"device-{uuid.uuid4().hex}"
    for openid in ("o-dv-first", "o-dv-second"):
        member = client.member_login(tenant, f"dev:{openid}")
        scanned = client.post("/v1/scans", json_body={"code": link, "device_id": device}, token=member["token"])
        assert scanned.status == 202, scanned.body
    other_device = client.member_login(tenant, "dev:o-dv-third")
    body = {"code": link, "device_id": f"device-{uuid.uuid4().hex}"}
    assert client.post("/v1/scans", json_body=body, token=other_device["token"]).status == 202

    def all_three() -> list[dict[str, Any]] | None:
        rows = client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]
        return rows if len(rows) == 3 else None

    rows = eventually(all_three)
    assert sorted((row["status"], row["reason"]) for row in rows) == [
        ("pending", None),
        ("pending", None),
        ("rejected", "identity_reused"),
    ]
    # A device id that is not one is refused, naming it.
    bad = client.post("/v1/scans", json_body={"code": link, "device_id": "short"}, token=other_device["token"])
    assert bad.status == 422
    assert problem_fields(bad) == ["body.device_id"]


def test_share_rewards_pay_for_distinct_new_visitors_within_the_day_cap_never_for_the_share(
    client: Client, tenant: str
) -> None:
    admin = client.staff_token(tenant)
    rules = {"share_visitor_points": 5, "share_visitors_per_day": 2, "welcome_points": 0}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    sharer = client.member_login(tenant, "dev:o-sh-sharer")
    for _ in range(3):  # sharing pays nothing, however often
        shared = client.post(
            "/v1/me/shares", json_body={"campaign_id": campaign_id, "channel": "group"}, token=sharer["token"]
        )
        assert shared.status == 201, shared.body
    link = client.get("/v1/me/referrals", token=sharer["token"]).json["items"][0]["code"]
    assert f"scene={link}&share={shared.json['share_id']}" in shared.json["url"]
    assert client.post("/v1/scans", json_body={"code": link}, token=sharer["token"]).status == 202  # themself

    visitors = [invited_by(client, tenant, link, f"o-sh-visitor-{n}") for n in range(3)]
    for visitor in visitors[:2]:  # a visitor opening the link again is no new visitor
        assert client.post("/v1/scans", json_body={"code": link}, token=visitor["token"]).status == 202
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 4)
    eventually(lambda: balance(client, sharer) == 10)  # two new visitors a day, five points each
    stats = eventually(
        lambda: (s := client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json)["share_rewards"] == 2 and s
    )
    assert (stats["shares"], stats["points_awarded"]) == (3, 10)
    mine = client.get("/v1/me/referrals", token=sharer["token"]).json["items"][0]
    assert sorted((r["kind"], r["points"]) for r in mine["rewards"]) == [("share", 5), ("share", 5)]
    assert balance(client, sharer) == 10

    other_tenant_or_unknown = client.post(
        "/v1/me/shares", json_body={"campaign_id": "cp_nope", "channel": "chat"}, token=sharer["token"]
    )
    assert other_tenant_or_unknown.status == 404
    bad = client.post("/v1/me/shares", json_body={"campaign_id": campaign_id, "channel": "fax"}, token=sharer["token"])
    assert bad.status == 422
    assert problem_fields(bad) == ["body.channel"]


def test_an_invitee_whose_order_is_refunded_within_the_window_is_taken_back(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}], "qualifying_action": "first_order", "welcome_points": 0}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-rf-inviter")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
    invitee = invited_by(client, tenant, link, "o-rf-invitee")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 1)
    order_id = f"o-rf-{uuid.uuid4().hex[:8]}"
    order = {"order_id": order_id, "contact_id": invitee["contact_id"], "amount_fen": 9_900, "brand": "x"}
    publish(tenant, "OrderPaid", order)
    eventually(lambda: balance(client, inviter) == 100)
    # A refund of another buyer's order changes nothing; the invitee's own takes the reward back.
    publish(tenant, "OrderRefunded", {"order_id": "o-unrelated", "refund_id": "r0", "amount_fen": 100})
    publish(tenant, "OrderRefunded", {"order_id": order_id, "refund_id": "r1", "amount_fen": 9_900})
    eventually(lambda: balance(client, inviter) == 0)
    [row] = client.get(f"/v1/campaigns/{campaign_id}/invitations?status=clawed_back", token=admin).json["items"]
    assert (row["invitee_id"], row["reason"]) == (invitee["contact_id"], "refunded")
    stats = client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json
    assert (stats["qualified"], stats["clawed_back"]) == (1, 1)


def test_a_refund_met_before_the_network_counts_its_order_is_followed_when_it_does(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    rules = {"stages": [{"invitees": 1, "points": 100}], "qualifying_action": "first_order", "welcome_points": 0}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    inviter = client.member_login(tenant, "dev:o-rl-inviter")
    link = client.get("/v1/me/referrals", token=inviter["token"]).json["items"][0]["code"]
    invitee = invited_by(client, tenant, link, "o-rl-invitee")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 1)
    publish(
        tenant,
        "OrderPaid",
        {
            "order_id": f"o-rl-{uuid.uuid4().hex[:8]}",
            "contact_id": invitee["contact_id"],
            "amount_fen": 9_900,
            "brand": "x",
        },
    )
    eventually(lambda: balance(client, inviter) == 100)
    # The network's consumer lags: the refund of a second order comes first and finds no buyer.
    late = f"o-rl-{uuid.uuid4().hex[:8]}"
    clawback.on_refunded(tenant, "partner.shop", late, parse_rfc3339("2026-11-22T01:00:00Z"))  # as published
    assert client.get(f"/v1/campaigns/{campaign_id}/invitations?status=clawed_back", token=admin).json["items"] == []
    for _ in range(2):  # counting the order, then its redelivery
        influence.on_order(tenant, invitee["contact_id"], "partner.shop", late, 500)
    eventually(lambda: balance(client, inviter) == 0)
    [row] = client.get(f"/v1/campaigns/{campaign_id}/invitations?status=clawed_back", token=admin).json["items"]
    assert row["reason"] == "refunded"
    stats = client.get(f"/v1/campaigns/{campaign_id}/stats", token=admin).json
    assert (stats["qualified"], stats["clawed_back"]) == (1, 1)
