"""The send rules: quiet hours, cap windows, addresses and skip reasons (pure functions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, get_args

import pytest

from services.outreach.logic import channels
from services.outreach.logic.channels import Address, ChannelAdapter, SkipReason
from services.outreach.logic.delivery import address_of, cap_windows, in_quiet_hours, next_allowed
from services.outreach.models import CapRule, Channel, ContactFacts, Friendship, OutreachSettings, QuietHours

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


def test_every_channel_has_an_adapter_that_says_how_it_is_reached_and_sent() -> None:
    assert set(channels.CHANNELS) == set(get_args(Channel))
    for name, adapter in channels.CHANNELS.items():
        assert adapter.name == name
        assert adapter.family is None or adapter.family in OutreachSettings().caps  # a default cap rule
        assert (adapter.per_second > 0) == (adapter.delivery == "direct")


@dataclass(frozen=True)
class _TextMessages(ChannelAdapter):
    """A channel as SMS would add it: its consent entry, cap family, address and sender."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    def address(self, facts: ContactFacts, app_id: str | None) -> Address | SkipReason:
        phone = facts.openids.get("phone")
        return Address(openid=phone) if phone else "no_wechat_openid"

    def send(self, tenant_id: str, message_id: str, address: Address, content: dict[str, Any]) -> None:
        self.sent.append((str(address.openid), str(content["text"])))


def test_the_send_rules_ask_the_channels_adapter_for_consent_caps_and_address(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = _TextMessages("sms", consent="sms", family="wechat_template", delivery="direct", per_second=10)  # type: ignore[arg-type]
    monkeypatch.setitem(channels.CHANNELS, "sms", texts)
    agreed = ContactFacts(tenant_id="t", contact_id="c", consent={"sms": {"marketing": True}}, openids={"phone": "+86"})
    assert address_of(agreed.model_copy(update={"consent": {}}), "sms", None) == "no_consent"
    assert address_of(agreed, "sms", None) == Address(openid="+86")
    assert [window.key for window in cap_windows(SHANGHAI, "sms", shanghai("2026-12-02T10:00"))] == [
        "wechat_template#W#2026-W49"
    ]
    channels.adapter("sms").send("t", "m-1", Address(openid="+86"), {"text": "hi"})
    assert texts.sent == [("+86", "hi")]
