"""A customer's WeCom add through a contact way whose state is a channel code is a scan of that
code (campaigns' ``campaigns-wecom-adds`` on contacts' WeComCustomerIdentified), once per add, and
from there an acquisition with its points like a mini-program scan."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from services.campaigns.service import WECOM_ADDS_CONSUMER
from services.contacts.dal import contacts as contacts_dal
from services.contacts.service import WECOM_CONSUMER
from shared import dynamo
from shared.clock import rfc3339, utc_now
from shared.settings import get_settings
from tests.unit.conftest import Client, eventually
from tests.unit.test_campaigns_api import CONSUMER_WINDOW, campaign, code
from tests.unit.test_merge_followers import deliver


def add(state: str | None, external_userid: str = "wm-1", **more: Any) -> dict[str, Any]:
    return {
        "corp_id": "ww-a",
        "staff_id": "g1",
        "external_userid": external_userid,
        "generation": 1,
        "state": state,
        "added_at": rfc3339(utc_now()),
        **more,
    }


def identified(tenant: str, contact_id: str, added: dict[str, Any]) -> None:
    data = {"contact_id": contact_id, "created": True, "added": added}
    deliver(WECOM_ADDS_CONSUMER.handler, tenant, "WeComCustomerIdentified", data)


def scans_published(tenant: str) -> list[dict[str, Any]]:
    """The QrCodeScanned events campaigns wrote to its outbox for the tenant (one partition each)."""
    pages = (
        dynamo.client()
        .get_paginator("scan")
        .paginate(
            TableName=get_settings().table("campaigns"),
            FilterExpression="begins_with(pk, :p) AND detail_type = :t",
            ExpressionAttributeValues={":p": {"S": f"T#{tenant}#OUTBOX#"}, ":t": {"S": "QrCodeScanned"}},
        )
    )
    return [json.loads(dynamo.deserialize(item)["detail"])["data"] for page in pages for item in page["Items"]]


def test_an_add_through_a_channel_code_is_one_scan_of_it(client: Client, tenant: str) -> None:
    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    made = code(client, admin, cid, channel="wecom-way")["code"]
    contact_id = f"ct_{uuid.uuid4().hex[:12]}"
    added = add(made)
    identified(tenant, contact_id, added)
    identified(tenant, contact_id, added)  # the same add again (a new event)
    identified(tenant, contact_id, add("nocode"))  # a state that is no channel code: ignored
    identified(tenant, contact_id, add(None, "wm-2"))  # no contact way: not a scan
    identified(tenant, contact_id, add(made, "wm-3", half=True))  # not accepted yet: not a scan
    [scan] = scans_published(tenant)
    assert (scan["campaign_id"], scan["contact_id"], scan["code"], scan["channel"]) == (
        cid,
        contact_id,
        made,
        "wecom-way",
    )
    assert scan["scanned_at"].startswith(added["added_at"][:19])
    stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
    assert (stats["scans"], stats["unique_scanners"]) == (1, 1)


def test_a_wecom_add_through_a_code_acquires_the_customer_and_awards_points_once(client: Client, tenant: str) -> None:
    """The whole chain over the bus: the add creates the contact, contacts identifies it,
    campaigns records the scan, contacts attributes it, campaigns converts it and points awards
    the acquisition; the same add delivered three times awards once."""
    admin = client.staff_token(tenant)
    cid = campaign(client, admin)["campaign_id"]
    made = code(client, admin, cid, channel="wecom")["code"]
    added = add(made, name="王芳")
    for _ in range(3):
        deliver(WECOM_CONSUMER.handler, tenant, "WeComContactAdded", added, source="siyu.wecom")
    contact_id = contacts_dal.find_by_identity(tenant, "external_userid:ww-a", "wm-1")
    assert contact_id is not None

    def balance() -> int:
        answer = client.get(f"/v1/contacts/{contact_id}/points", token=admin)
        return int(answer.json["balance"]) if answer.status == 200 else 0

    assert eventually(balance) == 100
    contact = client.get(f"/v1/contacts/{contact_id}", token=admin).json
    assert (contact["source"]["campaign_id"], contact["source"]["code"]) == (cid, made)
    time.sleep(CONSUMER_WINDOW)  # a second award would have had time to land
    assert balance() == 100
    stats = client.get(f"/v1/campaigns/{cid}/stats", token=admin).json
    assert (stats["scans"], stats["acquired"], stats["points_awarded"]) == (1, 1, 100)
