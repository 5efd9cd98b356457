"""KOC tasks: shares to groups (once opened in a group by someone else) and visitors brought count by
events, each once; a review is approved by a manager; each task pays its KOC once, from the
program's budget; only KOCs take part."""

from __future__ import annotations

from typing import Any

from tests.unit.conftest import Client, eventually
from tests.unit.test_referral_programs import balance, bind_phone, invited_by, problem_fields, program

RULE = {"min_downstream": 1, "window_days": 90, "direct_weight": 3, "downstream_weight": 1, "gmv_weight": 0.01}


def task(client: Client, admin: str, campaign_id: str, **fields: Any) -> dict[str, Any]:
    made = client.post("/v1/koc/tasks", json_body={"campaign_id": campaign_id, **fields}, token=admin)
    assert made.status == 201, made.body
    return dict(made.json)


def my_tasks(client: Client, member: dict[str, Any]) -> dict[str, Any]:
    return dict(client.get("/v1/me/koc-tasks", token=member["token"]).json)


def progress(client: Client, member: dict[str, Any]) -> dict[str, tuple[int, str]]:
    return {t["task_id"]: (t["progress"], t["my_status"]) for t in my_tasks(client, member)["items"]}


def test_a_koc_does_each_kind_of_task_and_is_paid_once_for_each(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    assert client.put("/v1/koc/rule", json_body=RULE, token=admin).status == 200
    rules = {"stages": [{"invitees": 1, "points": 100}], "welcome_points": 0}
    campaign_id = client.post("/v1/campaigns", json_body=program(**rules), token=admin).json["campaign_id"]
    assert client.post(f"/v1/campaigns/{campaign_id}/activate", token=admin).status == 200
    koc = client.member_login(tenant, "dev:o-kt-koc")
    assert my_tasks(client, koc) == {"koc": False, "items": []}
    link = client.get("/v1/me/referrals", token=koc["token"]).json["items"][0]["code"]
    first = invited_by(client, tenant, link, "o-kt-first")
    eventually(lambda: len(client.get(f"/v1/campaigns/{campaign_id}/invitations", token=admin).json["items"]) == 1)
    bind_phone(client, first, "+86 139 0000 3001")
    eventually(lambda: my_tasks(client, koc)["koc"])  # one downstream makes a KOC by this rule
    eventually(lambda: balance(client, koc) == 100)

    groups = task(client, admin, campaign_id, title="分享到 2 个群", kind="share_groups", target=2, points=30)
    visitors = task(client, admin, campaign_id, title="带来 2 位新朋友", kind="bring_visitors", target=2, points=50)
    review = task(client, admin, campaign_id, title="发一篇点评", kind="post_review", points=80)
    assert (groups["verification"], review["verification"]) == ("events", "manager")

    shares = {}
    for name, channel in (("a", "group"), ("chat", "chat"), ("b", "group"), ("c", "group")):
        shared = client.post(
            "/v1/me/shares", json_body={"campaign_id": campaign_id, "channel": channel}, token=koc["token"]
        )
        assert shared.status == 201
        assert shared.json["url"].endswith(f"&share={shared.json['share_id']}")
        shares[name] = shared.json["share_id"]
    assert progress(client, koc)[groups["task_id"]] == (0, "in_progress")  # a tap proves nothing

    # A group share counts once someone else opens it in a group, once per share.
    def opened(who: dict[str, Any], share: str, opened_in: str) -> None:
        body = {"code": link, "share_id": share, "opened_in": opened_in}
        assert client.post("/v1/scans", json_body=body, token=who["token"]).status == 202

    other = client.member_login(tenant, "dev:o-kt-other")
    opened(koc, shares["a"], "group")  # the sharer themself
    opened(first, shares["chat"], "group")  # a share to a chat
    opened(first, shares["a"], "chat")  # opened outside a group
    opened(first, "sh_not-a-share", "group")
    assert progress(client, koc)[groups["task_id"]] == (0, "in_progress")
    opened(first, shares["a"], "group")
    opened(other, shares["a"], "group")  # the same share again
    assert progress(client, koc)[groups["task_id"]] == (1, "in_progress")
    opened(first, shares["b"], "group")
    opened(first, shares["c"], "group")  # past the target
    newcomers = [invited_by(client, tenant, link, f"o-kt-visitor-{n}") for n in range(2)]
    assert client.post("/v1/scans", json_body={"code": link}, token=newcomers[0]["token"]).status == 202  # again
    eventually(lambda: progress(client, koc)[visitors["task_id"]] == (2, "completed"))
    assert progress(client, koc)[groups["task_id"]] == (2, "completed")

    # The review: submitted, rejected, submitted again, approved once.
    path = f"/v1/me/koc-tasks/{review['task_id']}/submissions"
    assert client.post(path, json_body={"url": "https://note.example/1"}, token=koc["token"]).status == 201
    queue = f"/v1/koc/tasks/{review['task_id']}/submissions"
    [waiting] = client.get(queue, token=admin).json["items"]
    assert (waiting["contact_id"], waiting["submission_url"]) == (koc["contact_id"], "https://note.example/1")
    decision = f"{queue}/{koc['contact_id']}"
    assert client.post(f"{decision}/reject", token=admin).status == 204
    assert client.get(queue, token=admin).json["items"] == []
    assert progress(client, koc)[review["task_id"]] == (0, "rejected")
    assert (
        client.post(path, json_body={"url": "https://note.example/2", "note": "改好了"}, token=koc["token"]).status
        == 201
    )
    assert client.post(f"{decision}/approve", token=admin).status == 204
    assert client.post(f"{decision}/approve", token=admin).status == 409
    assert client.post(path, json_body={"url": "https://note.example/3"}, token=koc["token"]).status == 409
    assert progress(client, koc)[review["task_id"]] == (1, "completed")

    eventually(lambda: balance(client, koc) == 100 + 30 + 50 + 80)
    mine = client.get("/v1/me/referrals", token=koc["token"]).json["items"][0]
    assert sorted(r["points"] for r in mine["rewards"] if r["kind"] == "task") == [30, 50, 80]
    assert client.get(f"/v1/campaigns/{campaign_id}", token=admin).json["points_awarded"] == 260

    # An ended task counts nothing more and is no longer offered.
    ended = client.post(f"/v1/koc/tasks/{groups['task_id']}/end", token=admin)
    assert (ended.status, ended.json["status"]) == (200, "ended")
    assert client.post(f"/v1/koc/tasks/{groups['task_id']}/end", token=admin).status == 409
    assert groups["task_id"] not in progress(client, koc)
    listed = client.get("/v1/koc/tasks", token=admin).json["items"]
    assert [t["task_id"] for t in listed] == [review["task_id"], visitors["task_id"], groups["task_id"]]


def test_koc_tasks_refuse_what_is_not_one_and_members_who_are_not_kocs(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    campaign_id = client.post("/v1/campaigns", json_body=program(), token=admin).json["campaign_id"]
    review = task(client, admin, campaign_id, title="点评", kind="post_review", points=10)
    share = task(client, admin, campaign_id, title="分享", kind="share_groups", target=3, points=10)
    for body, field in (
        ({"title": "x", "kind": "post_review", "target": 2, "points": 10}, "body"),
        ({"title": "x", "kind": "bring_visitors", "target": 0, "points": 10}, "body.target"),
        ({"title": "x", "kind": "tweet", "points": 10}, "body.kind"),
        ({"title": "x", "kind": "share_groups", "points": 999_999}, "body.points"),
    ):
        refused = client.post("/v1/koc/tasks", json_body={"campaign_id": campaign_id, **body}, token=admin)
        assert refused.status == 422, (body, refused.body)
        assert problem_fields(refused)[0].startswith(field), refused.body
    standard = {"name": "春季", "points_budget": 100, **{k: v for k, v in program().items() if k.endswith("_at")}}
    standard_id = client.post("/v1/campaigns", json_body=standard, token=admin).json["campaign_id"]
    body = {"campaign_id": standard_id, "title": "x", "kind": "share_groups", "points": 10}
    assert client.post("/v1/koc/tasks", json_body=body, token=admin).status == 422
    guide = client.staff_token(tenant, "g1", ("guide",))
    assert client.post("/v1/koc/tasks", json_body={**body, "campaign_id": campaign_id}, token=guide).status == 403
    assert client.get("/v1/koc/tasks/kt_unknown/submissions", token=admin).status == 404

    member = client.member_login(tenant, "dev:o-kt-not-koc")
    assert my_tasks(client, member) == {"koc": False, "items": []}
    path = f"/v1/me/koc-tasks/{review['task_id']}/submissions"
    assert client.post(path, json_body={"url": "https://note.example/x"}, token=member["token"]).status == 404
    bad_url = client.post(path, json_body={"url": "javascript:alert(1)"}, token=member["token"])
    assert bad_url.status == 422
    assert problem_fields(bad_url) == ["body.url"]
    events_task = f"/v1/me/koc-tasks/{share['task_id']}/submissions"
    assert client.post(events_task, json_body={"url": "https://note.example/x"}, token=member["token"]).status == 404
