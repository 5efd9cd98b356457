"""WeChat's official-account callback against replays and out-of-range times: a signed call is good
only within five minutes of its signed timestamp (401 after), a message whose CreateTime is far
off or out of any date's range is refused (400), and neither records anything."""

from __future__ import annotations

import time
import urllib.parse

import pytest

from services.cases.logic import wechat_callback
from services.cases.logic.wechat_callback import REPLAY_WINDOW_SECONDS, signature
from tests.unit.conftest import Client
from tests.unit.test_case_channels import TOKEN, cases_of, register

TWO_YEARS = 2 * 365 * 24 * 3600


def signed_at(app_id: str, stamp: str, **extra: str) -> str:
    query = {"signature": signature(TOKEN, stamp, "n0nce"), "timestamp": stamp, "nonce": "n0nce", **extra}
    return f"/v1/channels/wechat/{app_id}/messages?{urllib.parse.urlencode(query)}"


def message(create_time: str, msg_id: str, content: str = "我要投诉") -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_brand]]></ToUserName><FromUserName><![CDATA[o-replay]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def post(client: Client, path: str, body: bytes) -> tuple[int, dict[str, str]]:
    answer = client.post(path, raw=body, headers={"Content-Type": "text/xml"})
    headers = {k.lower(): v for k, v in answer.headers.items()}
    content_type = headers.get("content-type", "")
    problem = answer.json if "json" in content_type else {}
    return answer.status, {"content-type": content_type, **problem}


@pytest.mark.parametrize(
    "offset", [-TWO_YEARS, -(REPLAY_WINDOW_SECONDS + 5), REPLAY_WINDOW_SECONDS + 5, TWO_YEARS], ids=str
)
def test_a_signed_call_outside_the_replay_window_is_refused_and_records_nothing(
    client: Client, tenant: str, offset: int
) -> None:
    admin, app_id = register(client, tenant)
    now = int(time.time())
    status, problem = post(client, signed_at(app_id, str(now + offset)), message(str(now), "3001"))
    assert status == 401
    assert problem["content-type"].startswith("application/problem+json")
    assert problem["reason"] == "stale_timestamp"
    stale_check = client.get(signed_at(app_id, str(now + offset), echostr="e"))
    assert (stale_check.status, stale_check.body) != (200, b"e")
    time.sleep(0.3)
    assert cases_of(client, admin) == []


@pytest.mark.parametrize(
    "create_time",
    [
        "two-years-ago",  # replaced below by a real time two years back
        "in-ten-minutes",
        "99999999999999999999999",  # beyond any date: answered 500 before
        "-1",
        "1e9",
        "\uff11\uff17" + "\uff10" * 8,  # full-width digits: isdigit() says yes, int() reads them
        "",
    ],
)
def test_a_message_whose_create_time_is_far_off_or_out_of_range_is_a_bad_request(
    client: Client, tenant: str, create_time: str
) -> None:
    admin, app_id = register(client, tenant)
    now = int(time.time())
    create_time = {"two-years-ago": str(now - TWO_YEARS), "in-ten-minutes": str(now + 600)}.get(
        create_time, create_time
    )
    status, problem = post(client, signed_at(app_id, str(now)), message(create_time, "3002"))
    assert status == 400
    assert problem["content-type"].startswith("application/problem+json")
    assert problem["reason"] == "create_time_out_of_window"
    time.sleep(0.3)
    assert cases_of(client, admin) == []


def test_a_call_at_the_edges_of_the_window_is_accepted(client: Client, tenant: str) -> None:
    _, app_id = register(client, tenant)
    now = int(time.time())
    edge = REPLAY_WINDOW_SECONDS - 30  # leaves the test's own run time inside the window
    status, _ = post(client, signed_at(app_id, str(now - edge)), message(str(now - edge), "3003"))
    assert status == 200
    status, _ = post(client, signed_at(app_id, str(now + edge)), message(str(now + edge), "3004"))
    assert status == 200


def test_the_window_is_measured_from_now() -> None:
    now = 1_800_000_000.0
    assert wechat_callback.within_window(str(int(now) - REPLAY_WINDOW_SECONDS), now) == int(now) - REPLAY_WINDOW_SECONDS
    assert wechat_callback.within_window(str(int(now) - REPLAY_WINDOW_SECONDS - 1), now) is None
    assert wechat_callback.within_window(str(int(now) + REPLAY_WINDOW_SECONDS + 1), now) is None
    assert wechat_callback.within_window("1" * 13, now) is None
