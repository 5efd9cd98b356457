"""Ready-made journeys (the seeds' operating loop): a staff member picks one, chooses the message
templates of its send steps (``CHOOSE_TEMPLATE`` marks them) and saves it as a journey."""

from __future__ import annotations

from typing import Any

from services.outreach.journey_models import JourneyDefinition, JourneyTemplate

CHOOSE_TEMPLATE = "choose-a-template"


def _steps(*steps: dict[str, Any]) -> list[dict[str, Any]]:
    return list(steps)


_TEMPLATES: list[dict[str, Any]] = [
    {
        "key": "welcome_series",
        "name": "新客欢迎旅程",
        "description": "新加企业微信的客户: 立即发送欢迎语, 次日导购回访, 3 天后未下单则发送优惠。",
        "definition": {
            "name": "新客欢迎旅程",
            "trigger": {"kind": "event", "match": {"event": "WeComCustomerIdentified", "where": {"created": True}}},
            "entry": "welcome",
            "goal": {"event": "OrderBuyerIdentified"},
            "steps": _steps(
                {"type": "send", "id": "welcome", "template_id": CHOOSE_TEMPLATE, "next": "wait_1d"},
                {"type": "wait", "id": "wait_1d", "minutes": 1440, "next": "call"},
                {"type": "task", "id": "call", "title": "欢迎回访新客", "due_in_minutes": 1440, "next": "wait_2d"},
                {"type": "wait", "id": "wait_2d", "minutes": 2880, "next": "offer"},
                {"type": "send", "id": "offer", "template_id": CHOOSE_TEMPLATE, "next": "done"},
                {"type": "exit", "id": "done"},
            ),
        },
    },
    {
        "key": "birthday_gift",
        "name": "生日礼",
        "description": "会员生日当天 09:00 (租户时区)发送祝福并赠送生日积分, 每年一次。",
        "definition": {
            "name": "生日礼",
            "trigger": {"kind": "date", "attribute": "birthday", "at": "09:00"},
            "entry": "greet",
            "steps": _steps(
                {"type": "send", "id": "greet", "template_id": CHOOSE_TEMPLATE, "next": "gift"},
                {"type": "award_points", "id": "gift", "points": 100, "next": "done"},
                {"type": "exit", "id": "done"},
            ),
        },
    },
    {
        "key": "dormant_win_back",
        "name": "沉睡唤醒",
        "description": "会员转为沉睡: 一天后发送唤醒消息并打标签; 一周后仍沉睡的由专属导购回访。",
        "definition": {
            "name": "沉睡唤醒",
            "trigger": {"kind": "lifecycle_changed", "to_stage": "dormant"},
            "entry": "wait_1d",
            "reentry": {"mode": "after_days", "days": 90},
            "steps": _steps(
                {"type": "wait", "id": "wait_1d", "minutes": 1440, "next": "win_back"},
                {"type": "send", "id": "win_back", "template_id": CHOOSE_TEMPLATE, "next": "tag"},
                {"type": "tag", "id": "tag", "tag": "winback", "next": "wait_7d"},
                {"type": "wait", "id": "wait_7d", "minutes": 10080, "next": "still_dormant"},
                {
                    "type": "branch",
                    "id": "still_dormant",
                    "condition": {"kind": "attribute", "attribute": "lifecycle_stage", "op": "eq", "value": "dormant"},
                    "yes": "call",
                    "no": "done",
                },
                {"type": "task", "id": "call", "title": "回访沉睡会员", "next": "done"},
                {"type": "exit", "id": "done"},
            ),
        },
    },
    {
        "key": "points_expiry_reminder",
        "name": "积分到期提醒",
        "description": "积分即将到期: 10:00 发送提醒, 3 天后再提醒一次。",
        "definition": {
            "name": "积分到期提醒",
            "trigger": {"kind": "event", "match": {"event": "PointsExpiring"}},
            "entry": "at_10",
            "reentry": {"mode": "after_days", "days": 7},
            "steps": _steps(
                {"type": "wait", "id": "at_10", "until_time": "10:00", "next": "remind"},
                {"type": "send", "id": "remind", "template_id": CHOOSE_TEMPLATE, "next": "wait_3d"},
                {"type": "wait", "id": "wait_3d", "minutes": 4320, "next": "remind_again"},
                {"type": "send", "id": "remind_again", "template_id": CHOOSE_TEMPLATE, "next": "done"},
                {"type": "exit", "id": "done"},
            ),
        },
    },
    {
        "key": "post_case_follow_up",
        "name": "服务回访",
        "description": "工单解决后次日发送回访消息, 并提醒专属导购电话回访。",
        "definition": {
            "name": "服务回访",
            "trigger": {"kind": "event", "match": {"event": "CaseStatusChanged", "where": {"to_status": "resolved"}}},
            "entry": "wait_1d",
            "reentry": {"mode": "after_days", "days": 1},
            "steps": _steps(
                {"type": "wait", "id": "wait_1d", "minutes": 1440, "next": "follow_up"},
                {"type": "send", "id": "follow_up", "template_id": CHOOSE_TEMPLATE, "next": "call"},
                {"type": "task", "id": "call", "title": "服务回访", "due_in_minutes": 2880, "next": "done"},
                {"type": "exit", "id": "done"},
            ),
        },
    },
]


def catalogue() -> list[JourneyTemplate]:
    return [
        JourneyTemplate(
            key=entry["key"],
            name=entry["name"],
            description=entry["description"],
            definition=JourneyDefinition.model_validate(entry["definition"]),
        )
        for entry in _TEMPLATES
    ]
