"""Outreach templates and settings (issue 16, points 1, 2 and 7): variables checked when saved and
filled per recipient, optimistic versions, tenants kept apart, roles, bad input as problem+json."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from services.outreach.logic import templates
from services.outreach.logic.templates import PER_RECIPIENT_VARIABLES, VARIABLES
from services.outreach.models import ContactFacts
from services.outreach.template_models import Template
from shared.events.outreach import WeComMessageContent
from tests.unit.conftest import Client

WECOM: dict[str, Any] = {
    "name": "双十二会员日",
    "channel": "wecom_customer",
    "content": {
        "text": "{name|朋友} 您有 {points_balance} 积分 {points_expiring} 分将于 {points_expiring_date} 到期。",
        "links": [{"title": "{name}的专属福利", "url": "https://example.com/a", "desc": "{{限时}}"}],
        "miniprograms": [{"title": "去商城", "appid": "wx123", "page": "pages/index/index?from=bc"}],
    },
}
WECHAT_TEMPLATE: dict[str, Any] = {
    "name": "积分到期提醒",
    "channel": "wechat_template",
    "content": {
        "app_id": "wx-oa",
        "wechat_template_id": "TPL_abc",
        "data": {"first": "{name|会员}您好", "keyword1": "{points_expiring}", "keyword2": "{points_expiring_date}"},
        "url": "https://example.com/points",
    },
}
WECHAT_SUBSCRIBE: dict[str, Any] = {
    "name": "生日礼",
    "channel": "wechat_subscribe",
    "content": {"app_id": "wx-mp", "wechat_template_id": "SUB_1", "data": {"thing1": "{name} 生日快乐"}},
}
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
FACTS = ContactFacts(
    tenant_id="t",
    contact_id="c1",
    name="王芳",
    points_balance=1280,
    points_expiring=300,
    points_expiring_at="2026-12-31T16:30:00Z",  # 2027-01-01 00:30 in Asia/Shanghai
    lifecycle_stage="active",
)


def _create(client: Client, token: str, body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    answer = client.post("/v1/templates", json_body=body, token=token, **kwargs)
    assert answer.status == 201, answer.body
    return dict(answer.json)


def _locs(answer: Any) -> list[list[str]]:
    assert answer.status == 422, answer.body
    assert answer.headers["Content-Type"] == "application/problem+json"
    return [error["loc"] for error in answer.json["errors"]]


# CRUD -----------------------------------------------------------------------------------------


def test_a_template_is_created_read_listed_changed_and_deleted(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    created = _create(client, admin, WECOM, headers={"Idempotency-Key": "k1"})
    assert created["version"] == 1
    assert created["variables"] == ["name", "points_balance", "points_expiring", "points_expiring_date"]
    template_id = created["template_id"]
    again = client.post("/v1/templates", json_body=WECOM, token=admin, headers={"Idempotency-Key": "k1"})
    assert again.status == 201
    assert again.json["template_id"] == template_id  # the replay creates nothing

    wechat = _create(client, admin, WECHAT_TEMPLATE)
    path = f"/v1/templates/{template_id}"
    assert client.get(path, token=admin).json["content"] == {**WECOM["content"], "images": []} | {
        "links": [{**WECOM["content"]["links"][0], "picurl": None}],
        "miniprograms": [{**WECOM["content"]["miniprograms"][0], "pic_media_id": None}],
    }
    listed = client.get("/v1/templates", token=admin).json
    assert [item["template_id"] for item in listed["items"]] == [wechat["template_id"], template_id]
    only = client.get("/v1/templates?channel=wecom_customer", token=admin).json["items"]
    assert [item["template_id"] for item in only] == [template_id]
    first = client.get("/v1/templates?limit=1", token=admin).json
    second = client.get(f"/v1/templates?limit=1&cursor={first['next_cursor']}", token=admin).json
    assert [item["template_id"] for item in first["items"] + second["items"]] == [
        wechat["template_id"],
        template_id,
    ]

    changed = client.put(path, json_body={**WECOM, "name": "改名", "version": 1}, token=admin)
    assert changed.status == 200, changed.body
    assert (changed.json["name"], changed.json["version"]) == ("改名", 2)
    stale = client.put(path, json_body={**WECOM, "name": "又改", "version": 1}, token=admin)
    assert stale.status == 409, stale.body
    assert client.get(path, token=admin).json["name"] == "改名"

    assert client.delete(path, token=admin).status == 204
    assert client.get(path, token=admin).status == 404
    assert client.delete(path, token=admin).status == 404
    assert client.put(path, json_body={**WECOM, "version": 2}, token=admin).status == 404


def test_another_tenant_sees_none_of_the_templates(client: Client, tenant: str) -> None:
    template_id = _create(client, client.staff_token(tenant), WECOM)["template_id"]
    other = client.staff_token(f"{tenant}-other")
    path = f"/v1/templates/{template_id}"
    assert client.get(path, token=other).status == 404
    assert client.put(path, json_body={**WECOM, "version": 1}, token=other).status == 404
    assert client.delete(path, token=other).status == 404
    assert client.post(f"{path}/preview", json_body={}, token=other).status == 404
    assert client.get("/v1/templates", token=other).json["items"] == []


def test_a_guide_reads_and_previews_templates_but_cannot_write_them(client: Client, tenant: str) -> None:
    template_id = _create(client, client.staff_token(tenant), WECOM)["template_id"]
    guide = client.staff_token(tenant, staff="g1", roles=("guide",))
    assert client.post("/v1/templates", json_body=WECOM, token=guide).status == 403
    path = f"/v1/templates/{template_id}"
    assert client.put(path, json_body={**WECOM, "version": 1}, token=guide).status == 403
    assert client.delete(path, token=guide).status == 403
    assert client.get(path, token=guide).status == 200
    assert client.post(f"{path}/preview", json_body={}, token=guide).status == 200
    manager = client.staff_token(tenant, staff="m1", roles=("manager",))
    assert client.post("/v1/templates", json_body=WECHAT_SUBSCRIBE, token=manager).status == 201


# Variables checked when saved -------------------------------------------------------------------


def test_an_unknown_variable_is_a_422_naming_it_and_its_field(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    body = {**WECOM, "content": {**WECOM["content"], "text": "您好 {nmae}"}}
    answer = client.post("/v1/templates", json_body=body, token=admin)
    assert _locs(answer) == [["body", "content", "text"]]
    assert "{nmae}" in answer.json["errors"][0]["msg"]

    data = {**WECHAT_TEMPLATE["content"], "data": {"first": "ok", "keyword1": "{balance}"}}
    answer = client.post("/v1/templates", json_body={**WECHAT_TEMPLATE, "content": data}, token=admin)
    assert _locs(answer) == [["body", "content", "data", "keyword1"]]

    links = [{"title": "ok", "url": "https://example.com", "desc": "{birthday}"}]
    answer = client.post("/v1/templates", json_body={**WECOM, "content": {"links": links}}, token=admin)
    assert _locs(answer) == [["body", "content", "links", "0", "desc"]]
    assert client.get("/v1/templates", token=admin).json["items"] == []


@pytest.mark.parametrize("text", ["50% off {", "a } b", "{name", "{}", "{{name}"])
def test_a_lone_brace_is_a_422(client: Client, tenant: str, text: str) -> None:
    body = {**WECOM, "content": {"text": text}}
    answer = client.post("/v1/templates", json_body=body, token=client.staff_token(tenant))
    assert _locs(answer) == [["body", "content", "text"]]


def test_doubled_braces_are_literal_and_a_fallback_stands_in_for_a_missing_value() -> None:
    template = _template({"text": "{{name}} → {{{name|朋友}}} {owner_name|您的顾问} {lifecycle_stage}"})
    nameless = FACTS.model_copy(update={"name": None, "lifecycle_stage": None})
    assert _wecom(templates.render(template, nameless, None, NOW)).text == "{name} → {朋友} 您的顾问 "
    assert _wecom(templates.render(template, FACTS, "张三", NOW)).text == "{name} → {王芳} 张三 active"


def test_the_content_must_have_its_channels_shape(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({**WECOM, "content": WECHAT_TEMPLATE["content"]}, ["body", "content", "app_id"]),
        ({**WECOM, "content": {}}, ["body", "content"]),
        (
            {**WECOM, "content": {"images": [{"media_id": "m", "pic_url": "https://x.example/a.png"}]}},
            ["body", "content", "images", "0"],
        ),
        (
            {**WECOM, "content": {"links": [{"title": "t", "url": "http://plain.example"}]}},
            ["body", "content", "links", "0", "url"],
        ),
        ({**WECOM, "content": {"images": [{"media_id": f"m{n}"} for n in range(10)]}}, ["body", "content", "images"]),
        ({**WECOM, "content": {"text": "x" * 4001}}, ["body", "content", "text"]),
        ({**WECHAT_TEMPLATE, "content": {**WECHAT_TEMPLATE["content"], "data": {}}}, ["body", "content", "data"]),
        (
            {**WECHAT_SUBSCRIBE, "content": {**WECHAT_SUBSCRIBE["content"], "data": {"k": 5}}},
            ["body", "content", "data", "k"],
        ),
        ({**WECOM, "channel": "sms"}, ["body", "channel"]),
        ({**WECOM, "name": " "}, ["body", "name"]),
    ]
    for body, loc in cases:
        assert loc in _locs(client.post("/v1/templates", json_body=body, token=admin)), body
    five = [{"media_id": f"m{n}"} for n in range(5)]
    too_many = {"images": five, "links": [{"title": "t", "url": "https://e.example"}] * 5}
    assert _locs(client.post("/v1/templates", json_body={**WECOM, "content": too_many}, token=admin)) == [
        ["body", "content"]
    ]


# Rendering ------------------------------------------------------------------------------------


def _template(content: dict[str, Any], channel: str = "wecom_customer") -> Template:
    return Template.model_validate(
        {
            "tenant_id": "t",
            "template_id": "tpl_1",
            "name": "n",
            "channel": channel,
            "content": content,
            "created_by": "s1",
            "created_at": "2026-11-01T00:00:00Z",
            "updated_at": "2026-11-01T00:00:00Z",
        }
    )


def _wecom(content: Any) -> WeComMessageContent:
    return WeComMessageContent.model_validate(content.model_dump())


def test_a_wecom_template_renders_into_the_dispatch_events_content() -> None:
    rendered = _wecom(templates.render(_template(WECOM["content"]), FACTS, "张三", NOW))
    assert rendered.text == "王芳 您有 1280 积分 300 分将于 2027-01-01 到期。"
    assert rendered.links[0].title == "王芳的专属福利"
    assert rendered.links[0].desc == "{限时}"
    assert rendered.miniprograms[0].page == "pages/index/index?from=bc"
    in_utc = templates.render(_template(WECOM["content"]), FACTS, None, NOW, time_zone="UTC")
    assert "2026-12-31 到期" in str(_wecom(in_utc).text)


def test_points_whose_expiry_passed_render_as_none_expiring() -> None:
    later = datetime(2027, 1, 2, tzinfo=UTC)
    unknown = FACTS.model_copy(update={"points_balance": None, "name": None})
    rendered = _wecom(templates.render(_template(WECOM["content"]), unknown, None, later))
    assert rendered.text == "朋友 您有  积分 0 分将于  到期。"


def test_wechat_template_and_subscribe_messages_render_their_data() -> None:
    message = templates.render(_template(WECHAT_TEMPLATE["content"], "wechat_template"), FACTS, None, NOW)
    assert message.model_dump()["data"] == {"first": "王芳您好", "keyword1": "300", "keyword2": "2027-01-01"}
    assert message.model_dump()["url"] == "https://example.com/points"
    subscribe = templates.render(_template(WECHAT_SUBSCRIBE["content"], "wechat_subscribe"), FACTS, None, NOW)
    assert subscribe.model_dump() == {**WECHAT_SUBSCRIBE["content"], "data": {"thing1": "王芳 生日快乐"}, "page": None}


def test_a_long_name_never_makes_a_text_the_channel_refuses() -> None:
    template = _template({"text": "x" * 3990 + "{name}", "links": [{"title": "{name}", "url": "https://e.example"}]})
    rendered = _wecom(templates.render(template, FACTS.model_copy(update={"name": "王" * 600}), None, NOW))
    assert len(rendered.text or "") == 4000
    assert len(rendered.links[0].title) == 512


def test_variables_used_tells_a_group_broadcast_which_templates_are_per_recipient() -> None:
    assert templates.variables_used(_template({"text": "{owner_name|我们}邀您参加 {{活动}}"})) == {"owner_name"}
    assert templates.variables_used(_template(WECOM["content"])) <= PER_RECIPIENT_VARIABLES
    assert set(VARIABLES) - {"owner_name"} == PER_RECIPIENT_VARIABLES


# Preview --------------------------------------------------------------------------------------


def test_a_preview_fills_samples_over_the_examples(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    template_id = _create(client, admin, WECHAT_TEMPLATE)["template_id"]
    path = f"/v1/templates/{template_id}/preview"
    examples = client.post(path, json_body={}, token=admin)
    assert examples.status == 200, examples.body
    assert examples.json["content"]["data"] == {"first": "王芳您好", "keyword1": "300", "keyword2": "2026-12-31"}
    sampled = client.post(path, json_body={"sample": {"name": "李雷", "points_expiring": "50"}}, token=admin).json
    assert sampled["content"]["data"]["first"] == "李雷您好"
    assert sampled["values"] == {"name": "李雷", "points_expiring": "50", "points_expiring_date": "2026-12-31"}
    assert _locs(client.post(path, json_body={"sample": {"nmae": "x"}}, token=admin)) == [["body", "sample", "nmae"]]
    assert client.post(f"/v1/templates/{template_id}x/preview", json_body={}, token=admin).status == 404


def test_a_preview_for_a_contact_fills_outreachs_copy_of_its_facts(client: Client, tenant: str) -> None:
    from services.outreach.dal import facts

    facts.save_profile(tenant, "c1", {"status": "active", "name": "王芳", "owners": {"*": "zhangsan"}}, 1)
    facts.save_points_balance(tenant, "c1", 1280, "e1")
    facts.save_points_expiring(tenant, "c1", 300, "2099-01-01T00:00:00Z")
    facts.save_staff(tenant, "zhangsan", "ww1", "张三", "active", "2026-01-01T00:00:00Z")
    admin = client.staff_token(tenant)
    text = "{owner_name|顾问}: {name} {points_balance} {points_expiring} {points_expiring_date} {lifecycle_stage|-}"
    template_id = _create(client, admin, {**WECOM, "content": {"text": text}})["template_id"]
    path = f"/v1/templates/{template_id}/preview"
    answer = client.post(path, json_body={"contact_id": "c1"}, token=admin)
    assert answer.status == 200, answer.body
    assert answer.json["content"]["text"] == "张三: 王芳 1280 300 2099-01-01 -"
    sampled = client.post(path, json_body={"contact_id": "c1", "sample": {"name": "Li"}}, token=admin).json
    assert sampled["content"]["text"] == "张三: Li 1280 300 2099-01-01 -"
    assert client.post(path, json_body={"contact_id": "c2"}, token=admin).status == 404


# Settings -------------------------------------------------------------------------------------

SETTINGS = {
    "time_zone": "Europe/Berlin",
    "quiet_hours": {"start": "22:00", "end": "08:00"},
    "caps": {"wechat_template": {"per_week": 2}, "wecom": {"per_day": 1, "per_month": 20}},
    "version": 0,
}


def test_settings_default_then_change_on_their_version(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    defaults = client.get("/v1/outreach/settings", token=admin).json
    assert defaults["version"] == 0
    assert defaults["time_zone"] == "Asia/Shanghai"
    assert defaults["quiet_hours"] == {"start": "21:00", "end": "09:00"}
    assert defaults["caps"]["wecom"] == {"per_day": 1, "per_week": None, "per_month": "days_in_month"}

    saved = client.put("/v1/outreach/settings", json_body=SETTINGS, token=admin)
    assert saved.status == 200, saved.body
    assert saved.json["version"] == 1
    assert saved.json["time_zone"] == "Europe/Berlin"
    assert saved.json["caps"]["wechat_template"]["per_week"] == 2
    assert saved.json["caps"]["wechat_subscribe"] == {"per_day": None, "per_week": 4, "per_month": None}  # default
    assert client.get("/v1/outreach/settings", token=admin).json == saved.json
    assert client.put("/v1/outreach/settings", json_body=SETTINGS, token=admin).status == 409
    quiet_none = client.put(
        "/v1/outreach/settings", json_body={**SETTINGS, "quiet_hours": None, "version": 1}, token=admin
    )
    assert quiet_none.status == 200
    assert quiet_none.json["quiet_hours"] is None

    from services.outreach.logic import settings

    assert settings.get(tenant).quiet_hours is None
    assert settings.get(f"{tenant}-other").version == 0


def test_settings_refuse_bad_values_and_non_admins(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({**SETTINGS, "time_zone": "Mars/Olympus"}, ["body", "time_zone"]),
        ({**SETTINGS, "quiet_hours": {"start": "21:00", "end": "21:00"}}, ["body", "quiet_hours"]),
        ({**SETTINGS, "quiet_hours": {"start": "25:00", "end": "09:00"}}, ["body", "quiet_hours", "start"]),
        ({**SETTINGS, "caps": {"sms": {"per_day": 1}}}, ["body", "caps", "sms", "[key]"]),
        ({**SETTINGS, "caps": {"wecom": {"per_day": 2, "per_month": 20}}}, ["body", "caps", "wecom", "per_day"]),
        ({**SETTINGS, "caps": {"wecom": {"per_day": 1}}}, ["body", "caps", "wecom", "per_month"]),
        ({**SETTINGS, "caps": {"wechat_template": {"per_week": -1}}}, ["body", "caps", "wechat_template", "per_week"]),
        ({**SETTINGS, "caps": {"wechat_template": {"per_hour": 1}}}, ["body", "caps", "wechat_template", "per_hour"]),
        ({**SETTINGS, "version": -1}, ["body", "version"]),
    ]
    for body, loc in cases:
        assert loc in _locs(client.put("/v1/outreach/settings", json_body=body, token=admin)), body
    manager = client.staff_token(tenant, staff="m1", roles=("manager",))
    assert client.get("/v1/outreach/settings", token=manager).status == 200
    assert client.put("/v1/outreach/settings", json_body=SETTINGS, token=manager).status == 403
    guide = client.staff_token(tenant, staff="g1", roles=("guide",))
    assert client.get("/v1/outreach/settings", token=guide).status == 403
    assert client.get("/v1/outreach/settings", token=admin).json["version"] == 0


def test_the_documented_request_examples_are_accepted_as_they_are() -> None:
    from services.platform.api import openapi_document
    from services.registry import SERVICES

    outreach = [service for service in SERVICES if service.name == "outreach"]
    schemas = openapi_document(tuple(outreach))["components"]["schemas"]
    from services.outreach.settings_models import OutreachSettingsChange
    from services.outreach.template_models import TemplateChange, TemplateCreate, TemplatePreviewRequest

    models = (TemplateCreate, TemplateChange, TemplatePreviewRequest, OutreachSettingsChange)
    for model in models:
        examples = schemas[model.__name__]["examples"]
        assert examples
        for example in examples:
            model.model_validate(example, strict=True)
            if model in (TemplateCreate, TemplateChange):
                templates.check(model.model_validate(example).content)
