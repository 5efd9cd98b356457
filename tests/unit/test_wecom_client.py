"""The WeCom API client against the fake WeCom: access tokens cached per corp and app (in the
process and in the wecom table), fetched by one caller under concurrency (a lock in a process, a
lease across processes), refreshed before expiry; a refused token refreshed and the call retried
once; busy answers backed off; secrets and tokens never in logs or error messages; the typed
calls' shapes."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from local import dev_clock
from local.fake_wecom import FakeWeCom
from local.stack import LocalStack
from services.wecom.dal.tokens import TokenTable
from services.wecom.gateways.client import (
    BACKOFF_CAP_SECONDS,
    HttpTransport,
    TransientFailure,
    WeComApiError,
    WeComClient,
    WeComNotConfigured,
)
from shared.errors import UpstreamUnavailable

SECRETS = {"contact": "contact-secret-Zq81", "agent": "agent-secret-Kw22", "directory": "directory-secret-Hh73"}
GET = "/cgi-bin/externalcontact/get"


@dataclass(frozen=True)
class Creds:
    corp_id: str
    agent_id: int | None = 1000002
    secrets: Mapping[str, str] = field(default_factory=lambda: dict(SECRETS))


class Slow:
    """The fake behind a delay on gettoken, so that concurrent callers really overlap."""

    def __init__(self, fake: FakeWeCom, seconds: float) -> None:
        self.fake, self.seconds = fake, seconds

    def send(self, method: str, path: str, query: Mapping[str, str], body: Mapping[str, Any] | None) -> dict[str, Any]:
        if path == "/cgi-bin/gettoken":
            time.sleep(self.seconds)
        return self.fake.send(method, path, query, body)


@pytest.fixture(autouse=True)
def real_time() -> Iterator[None]:
    dev_clock.reset()
    yield
    dev_clock.reset()


@pytest.fixture
def creds(stack: LocalStack) -> Creds:  # the stack: its emulator holds the wecom table
    return Creds(corp_id=f"ww{uuid.uuid4().hex[:14]}")


@pytest.fixture
def fake(creds: Creds) -> FakeWeCom:
    wecom = FakeWeCom()
    for app, secret in SECRETS.items():
        wecom.register_app(creds.corp_id, app, secret)
    wecom.script_staff(creds.corp_id, "zhangsan", "张三", [2], is_leader_in_dept=[1])
    wecom.script_staff(creds.corp_id, "lisi", "李四", [2])
    wecom.script_customer(creds.corp_id, "wm-c1", "王芳", "u-1")
    wecom.customer_adds(creds.corp_id, "zhangsan", "wm-c1", state="code-1", welcome=False)
    return wecom


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(fake: FakeWeCom, sleeps: list[float]) -> WeComClient:
    return WeComClient(fake, sleep=sleeps.append)


def gettokens(fake: FakeWeCom, corp_id: str) -> list[dict[str, Any]]:
    return fake.calls(corp_id, "/cgi-bin/gettoken")


# Access tokens -----------------------------------------------------------------------------------
def test_a_token_is_fetched_once_per_corp_and_app_and_shared_by_warm_containers(
    client: WeComClient, fake: FakeWeCom, creds: Creds
) -> None:
    for _ in range(5):
        assert client.get_external_contact(creds, "wm-c1")["external_contact"]["name"] == "王芳"
    assert len(gettokens(fake, creds.corp_id)) == 1
    # Another container (a new client, empty memory) finds the token in the table.
    other = WeComClient(fake)
    other.get_external_contact(creds, "wm-c1")
    assert len(gettokens(fake, creds.corp_id)) == 1
    # Another app of the same corp has its own token.
    other.send_app_message(creds, ["zhangsan"], "hello")
    fetched = gettokens(fake, creds.corp_id)
    assert [call["app"] for call in fetched] == ["contact", "agent"]
    assert fake.app_messages(creds.corp_id)[0]["to"] == ["zhangsan"]


def test_twenty_threads_at_once_fetch_one_token(fake: FakeWeCom, creds: Creds) -> None:
    client = WeComClient(Slow(fake, 0.05))
    results: list[str] = []
    barrier = threading.Barrier(20)

    def work() -> None:
        barrier.wait()
        results.append(client.get_external_contact(creds, "wm-c1")["external_contact"]["name"])

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["王芳"] * 20
    assert len(gettokens(fake, creds.corp_id)) == 1


def test_two_containers_at_once_fetch_one_token_through_the_lease(fake: FakeWeCom, creds: Creds) -> None:
    containers = [WeComClient(Slow(fake, 0.3)), WeComClient(Slow(fake, 0.3))]
    barrier = threading.Barrier(2)
    names: list[str] = []

    def work(client: WeComClient) -> None:
        barrier.wait()
        names.append(client.get_external_contact(creds, "wm-c1")["external_contact"]["name"])

    threads = [threading.Thread(target=work, args=(c,)) for c in containers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert names == ["王芳", "王芳"]
    assert len(gettokens(fake, creds.corp_id)) == 1


def test_a_dead_lease_holder_delays_a_fetch_by_the_bounded_wait_only(fake: FakeWeCom, creds: Creds) -> None:
    assert TokenTable().take_lease(creds.corp_id, "contact", "a-container-that-died", 60, "any")
    client = WeComClient(fake, lease_wait_seconds=0.3)
    started = time.monotonic()
    assert client.list_external_contacts(creds, "zhangsan") == ["wm-c1"]
    assert 0.3 <= time.monotonic() - started < 3
    assert len(gettokens(fake, creds.corp_id)) == 1


def test_a_token_is_refreshed_before_it_expires(client: WeComClient, fake: FakeWeCom, creds: Creds) -> None:
    client.get_external_contact(creds, "wm-c1")
    dev_clock.advance(7200 - 300 + 5)  # inside the 5-minute margin, still valid at WeCom
    client.get_external_contact(creds, "wm-c1")
    assert len(gettokens(fake, creds.corp_id)) == 2  # refreshed ahead of time
    dev_clock.advance(300)  # past the first token's expiry
    client.get_external_contact(creds, "wm-c1")
    answers = [call["errcode"] for call in fake.calls(creds.corp_id, GET)]
    assert answers == [0, 0, 0]  # no call ever went out with an expired token


def test_an_expired_token_on_a_call_is_refreshed_and_the_call_retried_once(
    client: WeComClient, fake: FakeWeCom, creds: Creds
) -> None:
    client.get_external_contact(creds, "wm-c1")
    fake.fail_next(GET, 42001)
    assert client.get_external_contact(creds, "wm-c1")["external_contact"]["unionid"] == "u-1"
    assert [call["errcode"] for call in fake.calls(creds.corp_id, GET)] == [0, 42001, 0]
    assert len(gettokens(fake, creds.corp_id)) == 2
    # Refused again after the refresh: no second retry, the caller sees WeCom's errcode.
    fake.fail_next(GET, 40014, times=2)
    with pytest.raises(WeComApiError) as refused:
        client.get_external_contact(creds, "wm-c1")
    assert refused.value.errcode == 40014
    assert len(fake.calls(creds.corp_id, GET)) == 5


def test_a_busy_wecom_is_backed_off_then_succeeds(
    client: WeComClient, fake: FakeWeCom, creds: Creds, sleeps: list[float]
) -> None:
    fake.fail_next(GET, 45009, times=2)
    assert client.get_external_contact(creds, "wm-c1")["external_contact"]["name"] == "王芳"
    assert len(sleeps) == 2
    assert sleeps[0] <= sleeps[1] <= BACKOFF_CAP_SECONDS
    sleeps.clear()
    fake.fail_next(GET, http_status=503)
    fake.fail_next(GET, http_status=429)
    fake.fail_next(GET, -1)
    client.get_external_contact(creds, "wm-c1")
    assert len(sleeps) == 3


def test_a_wecom_busy_for_good_is_upstream_unavailable_and_other_errcodes_are_inspectable(
    client: WeComClient, fake: FakeWeCom, creds: Creds, sleeps: list[float]
) -> None:
    fake.fail_next(GET, 45033, times=4)
    with pytest.raises(UpstreamUnavailable):
        client.get_external_contact(creds, "wm-c1")
    assert len(sleeps) == 3
    with pytest.raises(WeComApiError) as unknown:
        client.get_external_contact(creds, "wm-nobody")
    assert unknown.value.errcode == 84061
    assert unknown.value.status == 502  # unhandled in a route: a problem, not a 500


def test_a_write_that_got_no_answer_is_not_repeated(client: WeComClient, fake: FakeWeCom, creds: Creds) -> None:
    class Silent:
        def send(
            self, method: str, path: str, query: Mapping[str, str], body: Mapping[str, Any] | None
        ) -> dict[str, Any]:
            if path == "/cgi-bin/message/send":
                raise TransientFailure("WeCom did not answer /cgi-bin/message/send (timeout).")
            return fake.send(method, path, query, body)

    with pytest.raises(UpstreamUnavailable):
        WeComClient(Silent()).send_app_message(creds, ["zhangsan"], "hi")


def test_missing_settings_are_not_configured_errors(fake: FakeWeCom, creds: Creds) -> None:
    client = WeComClient(fake)
    with pytest.raises(WeComNotConfigured):
        client.send_app_message(Creds(creds.corp_id, agent_id=None), ["zhangsan"], "hi")
    with pytest.raises(WeComNotConfigured):
        client.get_user_by_login_code(Creds(creds.corp_id, secrets={"contact": "x"}), "code")
    assert fake.calls(creds.corp_id) == []


def test_secrets_and_tokens_never_reach_logs_or_error_messages(
    fake: FakeWeCom, creds: Creds, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.INFO)  # botocore logs request bodies at DEBUG, never enabled in AWS
    client = WeComClient(fake, sleep=lambda _: None)
    client.get_external_contact(creds, "wm-c1")
    fake.fail_next(GET, 42001)
    fake.fail_next(GET, 45009)
    client.get_external_contact(creds, "wm-c1")
    wrong = Creds(creds.corp_id, secrets={"contact": "not-the-secret-Pp09"})
    with pytest.raises(WeComApiError) as refused:
        WeComClient(fake).list_external_contacts(wrong, "zhangsan")
    assert refused.value.errcode == 40001
    tokens = {call["query"].get("access_token") for call in fake.calls(creds.corp_id)}
    issued = [t for t, (corp, _, _) in fake._tokens.items() if corp == creds.corp_id]
    assert issued
    assert not tokens - {None}
    written = capsys.readouterr().out + caplog.text + str(refused.value) + repr(refused.value)
    assert "wecom token refused" in written  # the refresh was logged...
    for hidden in [*SECRETS.values(), "not-the-secret-Pp09", *issued]:
        assert hidden not in written  # ...without a secret or a token


def test_the_http_transport_hides_the_url_it_failed_on(monkeypatch: pytest.MonkeyPatch) -> None:
    import urllib.error
    import urllib.request

    def refuse(request: Any, timeout: float) -> Any:
        raise urllib.error.HTTPError(request.full_url, 502, "Bad Gateway", {}, None)  # type: ignore[arg-type]

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    with pytest.raises(TransientFailure) as failed:
        HttpTransport().send("GET", "/cgi-bin/gettoken", {"corpid": "ww1", "corpsecret": "s3cret-Vv1"}, None)
    assert failed.value.http_status == 502
    assert "s3cret-Vv1" not in str(failed.value)
    assert failed.value.__cause__ is None

    def unreachable(request: Any, timeout: float) -> Any:
        raise urllib.error.URLError(f"no route to {request.full_url}")

    monkeypatch.setattr(urllib.request, "urlopen", unreachable)
    with pytest.raises(TransientFailure) as failed:
        HttpTransport().send("GET", "/cgi-bin/user/list", {"access_token": "tok-Yy7"}, None)
    assert failed.value.http_status is None
    assert "tok-Yy7" not in str(failed.value)


# Typed calls -------------------------------------------------------------------------------------
def test_contact_way_add_and_customer_details(client: WeComClient, fake: FakeWeCom, creds: Creds) -> None:
    way = client.add_contact_way(creds, "cmp-42", ["zhangsan", "lisi"], remark="spring")
    assert way["config_id"]
    assert way["qr_code"].startswith("data:image/png;base64,")  # the fake answers the image itself
    client.update_contact_way(creds, way["config_id"], ["lisi"])
    fake.customer_scans(creds.corp_id, way["config_id"], "wm-c2")
    details = client.get_external_contact(creds, "wm-c2")
    assert [(f["userid"], f["state"]) for f in details["follow_user"]] == [("lisi", "cmp-42")]
    assert client.list_external_contacts(creds, "lisi") == ["wm-c2"]
    fake.customer_deletes_staff(creds.corp_id, "lisi", "wm-c2")
    assert client.list_external_contacts(creds, "lisi") == []  # WeCom's 84061 for "none"
    with pytest.raises(ValueError, match="30"):
        client.add_contact_way(creds, "x" * 31, ["lisi"])


def test_transfers_go_in_batches_of_100_and_their_results_page(
    client: WeComClient, fake: FakeWeCom, creds: Creds
) -> None:
    customers = [f"wm-t{n:03d}" for n in range(250)]
    for customer in customers:
        fake.customer_adds(creds.corp_id, "zhangsan", customer, welcome=False)
    outcomes = client.transfer_customers(creds, "zhangsan", "lisi", customers, departed=False)
    assert len(fake.calls(creds.corp_id, "/cgi-bin/externalcontact/transfer_customer")) == 3
    assert {o["errcode"] for o in outcomes} == {0}
    assert len(outcomes) == 250
    results = client.transfer_result(creds, "zhangsan", "lisi", departed=False)
    assert len(results) == 250
    assert {r["status"] for r in results} == {2}
    dev_clock.advance(86400)
    assert {r["status"] for r in client.transfer_result(creds, "zhangsan", "lisi", departed=False)} == {1}
    assert fake.follow_users(creds.corp_id, "wm-t000") == ["lisi"]


def test_directory_sign_in_groups_and_welcome(client: WeComClient, fake: FakeWeCom, creds: Creds) -> None:
    departments = client.list_departments(creds)
    assert [(d["id"], d["parentid"]) for d in departments] == [(1, 0), (2, 1)]
    assert departments[1]["department_leader"] == ["zhangsan"]
    users = client.list_department_users(creds, 2)
    assert [(u["userid"], u["status"], u["is_leader_in_dept"]) for u in users] == [
        ("lisi", 1, [0]),
        ("zhangsan", 1, [1]),
    ]
    assert fake.calls(creds.corp_id, "/cgi-bin/user/list")[0]["app"] == "directory"
    code = fake.issue_login_code(creds.corp_id, "lisi")
    assert client.get_user_by_login_code(creds, code) == "lisi"
    with pytest.raises(WeComApiError) as used:
        client.get_user_by_login_code(creds, code)
    assert used.value.errcode == 40029
    fake.script_group(creds.corp_id, "wr-1", "VIP 群", "zhangsan", ["wm-c1"])
    chats, cursor = client.list_groups(creds, None, limit=10)
    assert chats == [{"chat_id": "wr-1", "status": 0}]
    assert cursor is None
    group = client.get_group(creds, "wr-1")
    assert [(m["userid"], m["type"]) for m in group["member_list"]] == [("zhangsan", 1), ("wm-c1", 2)]
    fields = fake.customer_adds(creds.corp_id, "lisi", "wm-c1")
    client.send_welcome_message(
        creds, fields["WelcomeCode"], "你好 王芳", [{"msgtype": "link", "link": {"title": "t", "url": "https://x"}}]
    )
    assert fake.welcomes(creds.corp_id)[0]["text"] == "你好 王芳"


def test_group_transfers_take_100_groups_and_answer_the_failed_ones(
    client: WeComClient, fake: FakeWeCom, creds: Creds
) -> None:
    fake.script_staff(creds.corp_id, "wangwu", "王五", [2], status=5)  # departed
    fake.script_group(creds.corp_id, "wr-left", "离职群", "wangwu", ["wm-c1"])
    fake.script_group(creds.corp_id, "wr-here", "在职群", "zhangsan", ["wm-c1"])
    failed = client.transfer_groups(creds, ["wr-left", "wr-here", "wr-left"], "lisi", departed=True)
    assert [(f["chat_id"], f["errcode"]) for f in failed] == [("wr-here", 90500)]  # its owner has not left
    [call] = fake.calls(creds.corp_id, "/cgi-bin/externalcontact/groupchat/transfer")
    assert (call["body"], call["app"]) == ({"chat_id_list": ["wr-left", "wr-here"], "new_owner": "lisi"}, "contact")
    assert client.get_group(creds, "wr-left")["owner"] == "lisi"
    assert client.transfer_groups(creds, ["wr-here"], "lisi", departed=False) == []  # 在职: onjob_transfer
    assert client.get_group(creds, "wr-here")["owner"] == "lisi"
    with pytest.raises(ValueError, match="100"):
        client.transfer_groups(creds, [f"wr-{n}" for n in range(101)], "lisi", departed=True)
    with pytest.raises(WeComApiError) as refused:
        client.transfer_groups(creds, ["wr-left"], "wangwu", departed=False)
    assert refused.value.errcode == 40003  # the new owner must be active
