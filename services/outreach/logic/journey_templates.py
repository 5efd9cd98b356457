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
        "description": "A new WeCom customer: welcome at once, a guide's call the next day, an offer after 3 days "
        "unless they bought.",
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
        "description": "On the member's birthday at 09:00 (tenant's time zone): a greeting and birthday points, "
        "every year.",
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
        "description": "A member turned dormant: a day later a win-back message and a tag; the owner calls those "
        "still dormant a week on.",
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
        "description": "Points about to expire: a reminder at 10:00, and another 3 days later unless they redeemed.",
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
        "description": "A case resolved: the owner follows up the next day; a member who rated it low gets a call.",
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
