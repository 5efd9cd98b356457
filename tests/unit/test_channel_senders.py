"""WeChat senders resolve to contacts: a member who writes to the official
account is the contact they are in the mini-program, found through the unionid. Cases asks
contacts once per sender (``ChannelSenderSeen``), contacts answers (``ChannelSenderIdentified``)
and cases moves the sender's cases without a contact onto the contact; from then on the sender's
cases are opened for the contact.

The inbox is driven directly (as its queue would), so each test decides the order of events; the
contacts side is its logic, called as its consumer will call it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from services.cases.dal import channel as channel_dal
from services.cases.logic import channel_senders, inbox
from services.cases.service import CHANNEL_SENDERS_CONSUMER, CONTACT_CASES_CONSUMER
from services.contacts.dal import contacts as contacts_dal
from services.contacts.logic import senders
from shared.clock import now_rfc3339
from shared.consumer import AlreadyProcessed
from shared.events.cases import ChannelAddress, ChannelMessageReceived, ChannelSenderSeen
from tests.unit.conftest import Client
from tests.unit.test_case_channels import register
from tests.unit.test_cases_api import case_of, setup_desk
from tests.unit.test_merge_followers import deliver, merged

IDENTIFIED = CHANNEL_SENDERS_CONSUMER.handler
CONTACT_CASES = CONTACT_CASES_CONSUMER.handler
SEEN_BY = "contacts-channel-senders"  # the contacts consumer's name, as the lead declares it


def oa(app_id: str, openid: str) -> ChannelAddress:
    return ChannelAddress(kind="wechat_official_account", app_id=app_id, openid=openid)


def write(tenant: str, address: ChannelAddress, content: str) -> None:
    """A member's message reaches the inbox (once, under a fresh event id)."""
    message = ChannelMessageReceived(
        channel=address, msg_id=str(uuid.uuid4().int)[:18], msg_type="text", content=content, sent_at=now_rfc3339()
    )
    inbox.receive(tenant, message, f"evt-{uuid.uuid4().hex}")


class Asks:
    """Every ChannelSenderSeen cases publishes (``channel.ask`` writes it with its marker)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[ChannelSenderSeen] = []
        real = channel_dal.ask

        def spy(tenant_id: str, address: ChannelAddress, unionid: str | None, asked_before: int | None) -> bool:
            asked = real(tenant_id, address, unionid, asked_before)
            if asked:
                self.seen.append(ChannelSenderSeen(channel=address, unionid=unionid))
            return asked

        monkeypatch.setattr(channel_dal, "ask", spy)


def identified(tenant: str, address: ChannelAddress, contact_id: str, event_id: str | None = None) -> None:
    data = {"channel": address.model_dump(), "contact_id": contact_id}
    deliver(IDENTIFIED, tenant, "ChannelSenderIdentified", data, event_id=event_id)


def sender_cases(client: Client, admin: str) -> list[dict[str, Any]]:
    return list(client.get("/v1/cases", token=admin).json["items"])


def test_an_official_account_sender_is_the_mini_program_member_and_their_cases_follow(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The acceptance path: asked once, identified through the unionid, the case moved once, the
    next cases opened for the contact, who sees them in the mini-program."""
    asks = Asks(monkeypatch)
    setup_desk(client, tenant, {"alice": {}})
    admin, app_id = register(client, tenant)
    member = client.member_login(tenant, "dev:o-mp-1:u-1")
    sender = oa(app_id, "o-oa-1~u-1")  # the fake gateway reports the unionid u-1 for it
    write(tenant, sender, "我要投诉 杯子有质量问题")
    write(tenant, sender, "在吗")
    [opened] = sender_cases(client, admin)
    assert opened["contact_id"] is None
    assert asks.seen == [ChannelSenderSeen(channel=sender, unionid="u-1")]  # once per sender

    # Contacts: the unionid's contact gains the official account's openid and is the answer.
    assert senders.identify(SEEN_BY, tenant, "evt-seen-1", asks.seen[0]) == member["contact_id"]
    assert contacts_dal.find_by_identity(tenant, f"openid:{app_id}", sender.openid) == member["contact_id"]
    with pytest.raises(AlreadyProcessed):  # a redelivery answers nothing twice
        senders.identify(SEEN_BY, tenant, "evt-seen-1", asks.seen[0])

    for event_id in ("evt-id-1", "evt-id-1", None):  # redelivered, then published again
        identified(tenant, sender, member["contact_id"], event_id)
    moved = case_of(client, admin, opened["case_id"])
    assert moved["contact_id"] == member["contact_id"]
    assert sum("is contact" in (line.get("reason") or "") for line in moved["history"]) == 1
    assert [m["body"] for m in moved["messages"]] == ["我要投诉 杯子有质量问题", "在吗"]

    write(tenant, sender, "还有一个问题")  # continues the moved case
    assert len(case_of(client, admin, opened["case_id"])["messages"]) == 3
    for status in ("resolved", "closed"):
        answer = client.patch(f"/v1/cases/{opened['case_id']}", json_body={"status": status}, token=admin)
        assert answer.status == 200, answer.body
    write(tenant, sender, "退款")  # a new case, opened for the contact
    newest = sender_cases(client, admin)[0]
    assert newest["case_id"] != opened["case_id"]
    assert newest["contact_id"] == member["contact_id"]
    mine = client.get("/v1/me/cases", token=member["token"]).json["items"]
    assert {case["case_id"] for case in mine} == {opened["case_id"], newest["case_id"]}
    assert len(asks.seen) == 1  # a linked sender is not asked about again


def test_a_sender_no_contact_holds_makes_no_contact_and_is_asked_about_again_later(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asks = Asks(monkeypatch)
    _, app_id = register(client, tenant)
    sender = oa(app_id, "o-oa-2~u-2")
    write(tenant, sender, "你好")
    write(tenant, sender, "你好")
    assert len(asks.seen) == 1
    assert senders.identify(SEEN_BY, tenant, "evt-seen-2", asks.seen[0]) is None
    assert contacts_dal.find_by_identity(tenant, "unionid", "u-2") is None
    assert contacts_dal.find_by_identity(tenant, f"openid:{app_id}", sender.openid) is None

    # An hour on without an answer, the sender's next message asks again; the member has signed
    # in to the mini-program meanwhile, so this time contacts finds them.
    member = client.member_login(tenant, "dev:o-mp-2:u-2")
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + channel_senders.ASK_AGAIN_SECONDS + 5)
    write(tenant, sender, "你好")
    write(tenant, sender, "你好")
    assert len(asks.seen) == 2
    assert senders.identify(SEEN_BY, tenant, "evt-seen-3", asks.seen[1]) == member["contact_id"]


def test_identities_that_cannot_be_joined_answer_the_openids_holder_unchanged(client: Client, tenant: str) -> None:
    """The official account's openid belongs to a member (an H5 sign-in through the account) whose
    unionid differs from the one WeChat now reports, held by another member: no merge, no change,
    and the sender is the openid's contact, as a login signs in the openid's contact."""
    _, app_id = register(client, tenant)
    holder = client.member_login(tenant, "dev:o-oa-6:u-6a", app_id=app_id)
    other = client.member_login(tenant, "dev:o-mp-6:u-6b")
    seen = ChannelSenderSeen(channel=oa(app_id, "o-oa-6"), unionid="u-6b")
    assert senders.identify(SEEN_BY, tenant, "evt-seen-6", seen) == holder["contact_id"]
    assert contacts_dal.find_by_identity(tenant, "unionid", "u-6b") == other["contact_id"]
    assert contacts_dal.find_by_identity(tenant, "unionid", "u-6a") == holder["contact_id"]


def test_a_case_without_a_contact_is_never_written_after_the_link(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inbox read the sender before contacts' answer was recorded: the case it opens without a
    contact would escape the link's move, so the write is refused and it decides again."""
    setup_desk(client, tenant, {"alice": {}})
    admin, app_id = register(client, tenant)
    member = client.member_login(tenant, "dev:o-mp-3:u-3")
    sender = oa(app_id, "o-oa-3")
    identified(tenant, sender, member["contact_id"])
    monkeypatch.setattr(channel_senders, "known", lambda tenant_id, address: None)  # read before the link
    write(tenant, sender, "我要投诉")
    [opened] = sender_cases(client, admin)
    assert opened["contact_id"] == member["contact_id"]


def test_an_alias_resolves_to_its_survivor_and_an_erasure_forgets_the_link(
    client: Client, tenant: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup_desk(client, tenant, {"alice": {}})
    admin, app_id = register(client, tenant)
    survivor = client.member_login(tenant, "dev:o-mp-4a")
    alias = client.member_login(tenant, "dev:o-mp-4b")
    sender, earlier = oa(app_id, "o-oa-4"), oa(app_id, "o-oa-4-earlier")
    identified(tenant, earlier, alias["contact_id"])  # linked before the merge: the merge moves it
    write(tenant, sender, "我要投诉")
    [opened] = sender_cases(client, admin)
    deliver(CONTACT_CASES, tenant, "ContactsMerged", merged(survivor["contact_id"], alias["contact_id"]))
    identified(tenant, sender, alias["contact_id"])  # names the alias after the merge
    assert case_of(client, admin, opened["case_id"])["contact_id"] == survivor["contact_id"]
    for address in (sender, earlier):
        linked = channel_dal.sender(tenant, address)
        assert linked is not None
        assert linked.contact_id == survivor["contact_id"]

    data = {"contact_id": survivor["contact_id"], "version": 9}
    deliver(CONTACT_CASES, tenant, "ContactErased", data)
    assert channel_dal.sender(tenant, sender) is None
    assert channel_dal.sender(tenant, earlier) is None
    assert case_of(client, admin, opened["case_id"])["channel"] is None
    write(tenant, sender, "退款")  # a stranger again: a case without a contact
    newest = sender_cases(client, admin)[0]
    assert newest["case_id"] != opened["case_id"]
    assert newest["contact_id"] is None


def _contacts_consumer_declared() -> bool:
    from services.contacts import service

    return hasattr(service, "CHANNEL_SENDERS_CONSUMER")


@pytest.mark.skipif(not _contacts_consumer_declared(), reason="contacts' ChannelSenderSeen consumer not declared yet")
def test_over_the_bus_the_official_account_message_lands_on_the_members_contact(client: Client, tenant: str) -> None:
    """End to end: WeChat's callback, cases' inbox, contacts' answer and cases' move, each through
    its own queue as in production."""
    from tests.unit.conftest import eventually
    from tests.unit.test_case_channels import send

    setup_desk(client, tenant, {"alice": {}})
    admin, app_id = register(client, tenant)
    member = client.member_login(tenant, "dev:o-mp-e2e:u-e2e")
    assert send(client, app_id, "o-oa-e2e~u-e2e", "我要投诉 杯子有质量问题", "9001") == 200

    def linked() -> list[dict[str, Any]]:
        return [case for case in sender_cases(client, admin) if case["contact_id"] == member["contact_id"]]

    [case] = eventually(linked)
    mine = client.get("/v1/me/cases", token=member["token"]).json["items"]
    assert [item["case_id"] for item in mine] == [case["case_id"]]
