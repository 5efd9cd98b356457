"""The send rules: quiet hours, cap windows, addresses and skip reasons (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.outreach.logic.delivery import address_of, cap_windows, in_quiet_hours, next_allowed
from services.outreach.models import CapRule, ContactFacts, Friendship, OutreachSettings, QuietHours

SHANGHAI = OutreachSettings()  # defaults: Asia/Shanghai, 21:00-09:00


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text + "+08:00")


def test_a_send_due_at_22_in_shanghai_goes_at_9_the_next_day() -> None:
    assert next_allowed(shanghai("2026-12-02T22:00"), SHANGHAI) == shanghai("2026-12-03T09:00")
    assert next_allowed(shanghai("2026-12-03T03:30"), SHANGHAI) == shanghai("2026-12-03T09:00")
    assert next_allowed(shanghai("2026-12-02T20:59"), SHANGHAI) == shanghai("2026-12-02T20:59")
    assert next_allowed(shanghai("2026-12-03T09:00"), SHANGHAI) == shanghai("2026-12-03T09:00")


def test_quiet_hours_follow_the_tenants_zone_and_may_be_off_or_within_a_day() -> None:
    berlin = OutreachSettings(time_zone="Europe/Berlin", quiet_hours=QuietHours(start="12:00", end="14:00"))
    noon_in_berlin = datetime(2026, 12, 2, 11, 30, tzinfo=UTC)  # 12:30 CET
    assert in_quiet_hours(noon_in_berlin, berlin.quiet_hours, berlin.time_zone)
    assert next_allowed(noon_in_berlin, berlin) == datetime(2026, 12, 2, 13, 0, tzinfo=UTC)
    assert not in_quiet_hours(shanghai("2026-12-02T22:00"), None, "Asia/Shanghai")
    assert next_allowed(shanghai("2026-12-02T22:00"), OutreachSettings(quiet_hours=None)) == shanghai(
        "2026-12-02T22:00"
    )


def test_wecom_caps_are_one_a_day_and_the_months_days_a_month_in_local_calendar_windows() -> None:
    # 2026-12-31 23:30 in Shanghai is still December there (15:30 UTC).
    windows = cap_windows(SHANGHAI, "wecom_customer", shanghai("2026-12-31T23:30"))
    assert [(w.key, w.limit) for w in windows] == [("wecom#D#2026-12-31", 1), ("wecom#M#2026-12", 31)]
    february = cap_windows(SHANGHAI, "wecom_customer", shanghai("2027-02-10T10:00"))
    assert february[1].key == "wecom#M#2027-02"
    assert february[1].limit == 28
    weekly = cap_windows(SHANGHAI, "wechat_template", shanghai("2026-12-02T10:00"))
    assert [(w.key, w.limit) for w in weekly] == [("wechat_template#W#2026-W49", 4)]
    assert cap_windows(SHANGHAI, "wecom_group", shanghai("2026-12-02T10:00")) == []
    uncapped = OutreachSettings(caps={"wecom": CapRule()})
    assert cap_windows(uncapped, "wecom_customer", shanghai("2026-12-02T10:00")) == []
    # Counters outlive their window by a day, then DynamoDB's TTL drops them.
    assert windows[0].expires_at == int(shanghai("2027-01-02T00:00").timestamp())


def friend(staff: str, added: str) -> Friendship:
    return Friendship(corp_id="ww1", staff_id=staff, external_userid=f"wm-{staff}", generation=1, added_at=added)


@pytest.mark.parametrize(
    ("facts", "channel", "expected"),
    [
        (ContactFacts(tenant_id="t", contact_id="c", status="erased"), "wecom_customer", "contact_gone"),
        (ContactFacts(tenant_id="t", contact_id="c"), "wecom_customer", "no_consent"),
        (
            ContactFacts(tenant_id="t", contact_id="c", consent={"wecom": {"marketing": False}}),
            "wecom_customer",
            "no_consent",
        ),
        (
            ContactFacts(tenant_id="t", contact_id="c", consent={"wecom": {"marketing": True}}),
            "wecom_customer",
            "no_wecom_relationship",
        ),
        (
            ContactFacts(tenant_id="t", contact_id="c", consent={"wechat": {"marketing": True}}),
            "wechat_template",
            "no_wechat_openid",
        ),
    ],
)
def test_each_unreachable_contact_has_its_reason(facts: ContactFacts, channel: str, expected: str) -> None:
    assert address_of(facts, channel, "wx-oa") == expected


def test_a_wecom_message_goes_through_the_owner_when_the_owner_has_the_customer_else_the_oldest_friend() -> None:
    facts = ContactFacts(
        tenant_id="t",
        contact_id="c",
        consent={"wecom": {"marketing": True}},
        owners={"*": "lisi"},
        friends=[friend("zhangsan", "2026-01-01T00:00:00Z"), friend("lisi", "2026-03-01T00:00:00Z")],
    )
    assert address_of(facts, "wecom_customer", None).staff_id == "lisi"  # type: ignore[union-attr]
    no_owner_friend = facts.model_copy(update={"owners": {"*": "wangwu"}})
    assert address_of(no_owner_friend, "wecom_customer", None).staff_id == "zhangsan"  # type: ignore[union-attr]
    wechat = ContactFacts(
        tenant_id="t", contact_id="c", consent={"wechat": {"marketing": True}}, openids={"wx-oa": "o-1"}
    )
    assert address_of(wechat, "wechat_template", "wx-oa").openid == "o-1"  # type: ignore[union-attr]
