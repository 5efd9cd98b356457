"""Referral (裂变) programs: a campaign of kind referral with increasing stages, a welcome reward,
a budget no reward exceeds and per-inviter caps; bad programs are refused naming the field."""

from __future__ import annotations

from typing import Any

from tests.unit.conftest import Client

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
