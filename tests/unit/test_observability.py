"""What operators read in CloudWatch: one JSON line per log record with the keys their queries use,
the correlation id that ties a request to the events it caused, tracebacks for failures, and
metrics CloudWatch extracts from Embedded Metric Format lines (and none where metrics are off)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from shared import observability
from shared.observability import Logger, Metrics, MetricUnit, correlated, count, lambda_entry

ROOT = Path(__file__).resolve().parents[2]


def lines(captured: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in captured.splitlines() if line.strip()]


def assert_valid_emf(blob: dict[str, Any]) -> None:
    """The Embedded Metric Format's rules CloudWatch applies before it extracts anything."""
    directive = blob["_aws"]
    assert isinstance(directive["Timestamp"], int)
    assert abs(directive["Timestamp"] - time.time() * 1000) < 60_000
    for metrics in directive["CloudWatchMetrics"]:
        assert isinstance(metrics["Namespace"], str)
        assert metrics["Namespace"]
        for dimension_set in metrics["Dimensions"]:
            assert 1 <= len(dimension_set) <= 30
            assert all(isinstance(blob[dimension], str) for dimension in dimension_set)
        assert 1 <= len(metrics["Metrics"]) <= 100
        for metric in metrics["Metrics"]:
            value = blob[metric["Name"]]
            values = value if isinstance(value, list) else [value]
            assert 1 <= len(values) <= 100
            assert all(isinstance(v, int | float) for v in values)
            assert metric["Unit"] in {unit.value for unit in MetricUnit}


@pytest.fixture
def metrics_enabled(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    yield
    observability.logger.remove_keys(["request_id", "function"])  # lambda_entry's, kept by this thread


def test_a_log_line_is_json_with_the_keys_operators_query(capsys: pytest.CaptureFixture[str]) -> None:
    log = Logger(service="contacts")
    log.append_keys(request_id="req-1", function="siyu-dev-contacts-api")
    log.info("contact created", extra={"contact_id": "c-1", "tag": "高价值"})

    (line,) = lines(capsys.readouterr().out)
    assert line["level"] == "INFO"
    assert line["message"] == "contact created"
    assert line["service"] == "contacts"
    assert line["location"].startswith("test_a_log_line_is_json_with_the_keys_operators_query:")
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\+0000", line["timestamp"])
    assert line["request_id"] == "req-1"
    assert line["function"] == "siyu-dev-contacts-api"
    assert line["contact_id"] == "c-1"
    assert line["tag"] == "高价值"


def test_removed_keys_leave_the_lines_and_stdlib_attribute_names_are_ordinary_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = Logger(service="points")
    log.append_keys(request_id="req-1", function="f")
    log.remove_keys(["request_id"])
    log.warning("refused %s", "twice", extra={"name": "welcome", "module": "ledger"})

    (line,) = lines(capsys.readouterr().out)
    assert line["message"] == "refused twice"
    assert line["level"] == "WARNING"
    assert "request_id" not in line
    assert line["function"] == "f"
    assert line["name"] == "welcome"
    assert line["module"] == "ledger"


def test_the_correlation_and_causation_ids_are_on_every_line_written_while_they_are_set(
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = Logger(service="campaigns")
    with correlated("corr-1", "event-0"):
        log.info("scan converted")
    log.info("after the request")

    inside, after = lines(capsys.readouterr().out)
    assert inside["correlation_id"] == "corr-1"
    assert inside["causation_id"] == "event-0"
    assert "correlation_id" not in after
    assert "causation_id" not in after


def test_a_request_served_on_another_thread_never_carries_this_ones_ids(capsys: pytest.CaptureFixture[str]) -> None:
    log = Logger(service="siyu-local")
    inside = threading.Event()
    logged = threading.Event()

    def other_request() -> None:
        inside.wait(5)
        log.info("other request")
        logged.set()

    worker = threading.Thread(target=other_request)
    worker.start()
    with correlated("corr-A"):
        log.append_keys(request_id="req-A")
        inside.set()
        logged.wait(5)
    worker.join(5)

    (other,) = lines(capsys.readouterr().out)
    assert "correlation_id" not in other
    assert "request_id" not in other


def test_an_exception_is_logged_with_its_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    log = Logger(service="cases")

    def failing_step() -> None:
        raise ValueError("no such queue")

    try:
        failing_step()
    except ValueError:
        log.exception("event handling failed; it will be retried", extra={"consumer": "contact_cases"})

    (line,) = lines(capsys.readouterr().out)
    assert line["level"] == "ERROR"
    assert line["consumer"] == "contact_cases"
    assert line["exception_name"] == "ValueError"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert "failing_step" in line["exception"]
    assert "ValueError: no such queue" in line["exception"]
    assert line["stack_trace"]["type"] == "ValueError"
    assert [frame["function"] for frame in line["stack_trace"]["frames"]][-1] == "failing_step"


def test_the_level_comes_from_powertools_log_level_or_log_level(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("POWERTOOLS_LOG_LEVEL", raising=False)
    monkeypatch.setenv("LOG_LEVEL", "warning")
    quiet = Logger(service="points")
    quiet.info("not written")
    quiet.warning("written")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "DEBUG")
    Logger(service="points").debug("written too")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "LOUD")  # a typo must not stop the function starting
    Logger(service="points").info("and at INFO")

    assert [line["message"] for line in lines(capsys.readouterr().out)] == ["written", "written too", "and at INFO"]


def test_a_metric_is_valid_emf_in_the_siyu_namespace_with_the_service_dimension(
    metrics_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Metrics(namespace="Siyu", service="contacts")
    recorder.add_metric(name="EventsHandled", unit=MetricUnit.Count, value=1)
    recorder.add_metric(name="EventsHandled", unit=MetricUnit.Count, value=2)
    recorder.add_metric(name="HandlerLatency", unit="Milliseconds", value=12.5)
    recorder.flush_metrics()

    (blob,) = lines(capsys.readouterr().out)
    assert_valid_emf(blob)
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Siyu"
    assert directive["Dimensions"] == [["service"]]
    assert blob["service"] == "contacts"
    assert directive["Metrics"] == [
        {"Name": "EventsHandled", "Unit": "Count"},
        {"Name": "HandlerLatency", "Unit": "Milliseconds"},
    ]
    assert blob["EventsHandled"] == [1.0, 2.0]
    assert blob["HandlerLatency"] == 12.5
    assert recorder.metric_set == {}


def test_metrics_are_neither_written_nor_kept_where_they_are_disabled(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    recorder = Metrics(namespace="Siyu", service="contacts")
    recorder.add_metric(name="EventsHandled", unit=MetricUnit.Count, value=1)
    recorder.flush_metrics()

    assert capsys.readouterr().out == ""
    assert recorder.metric_set == {}


def test_a_metric_reaching_emfs_limit_of_100_values_is_written_at_once(
    metrics_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    recorder = Metrics(namespace="Siyu", service="points")
    for _ in range(150):
        recorder.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=1)
    recorder.flush_metrics()

    first, rest = lines(capsys.readouterr().out)
    assert_valid_emf(first)
    assert_valid_emf(rest)
    assert len(first["EventsPublished"]) == 100
    assert len(rest["EventsPublished"]) == 50


def test_lambda_entry_writes_each_invocations_metrics_once_and_starts_the_next_empty(
    metrics_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    @lambda_entry
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        count("EventsHandled")
        observability.logger.info("handled")
        if event.get("fail"):
            raise RuntimeError("boom")
        return {}

    context = SimpleNamespace(aws_request_id="req-1", function_name="siyu-dev-points-contacts")
    handler({}, context)
    with pytest.raises(RuntimeError):
        handler({"fail": True}, SimpleNamespace(aws_request_id="req-2", function_name="siyu-dev-points-contacts"))

    first_log, first_metrics, second_log, second_metrics = lines(capsys.readouterr().out)
    assert first_log["request_id"] == "req-1"
    assert first_log["function"] == "siyu-dev-points-contacts"
    assert second_log["request_id"] == "req-2"
    for blob in (first_metrics, second_metrics):
        assert_valid_emf(blob)
        assert blob["EventsHandled"] == 1.0  # not the previous invocation's value again
        assert blob["service"] == observability.metrics.service
    assert observability.metrics.metric_set == {}


def test_each_thread_flushes_only_what_its_own_invocation_recorded(
    metrics_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # A service no other test uses: a thread another test left running in this worker may log
    # or flush while this one captures stdout, and its lines are not this test's to count.
    recorder = Metrics(namespace="Siyu", service="thread-isolation-probe")
    neighbour_recorded, main_flushed = threading.Event(), threading.Event()

    def neighbour() -> None:  # another invocation of the local stack, in its own thread
        recorder.add_metric(name="EventsHandled", unit=MetricUnit.Count, value=5)
        neighbour_recorded.set()
        main_flushed.wait(5)
        recorder.flush_metrics()

    thread = threading.Thread(target=neighbour)
    thread.start()
    neighbour_recorded.wait(5)
    recorder.add_metric(name="EventsHandled", unit=MetricUnit.Count, value=1)
    recorder.flush_metrics()
    main_flushed.set()
    thread.join(5)

    mine, theirs = [line for line in lines(capsys.readouterr().out) if line.get("service") == recorder.service]
    assert mine["EventsHandled"] == 1.0
    assert theirs["EventsHandled"] == 5.0


def test_lambda_entry_with_metrics_disabled_clears_what_was_recorded(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")

    @lambda_entry
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        count("EventsHandled", 3)
        return {}

    handler({}, None)

    assert capsys.readouterr().out == ""
    assert observability.metrics.metric_set == {}


def test_observability_starts_without_powertools() -> None:
    """Every function imports this module: Powertools' Logger and Metrics load forty of its
    modules (~8 ms of each cold start) and are not needed to write JSON lines."""
    heavy = ("aws_lambda_powertools", "jmespath")
    script = f"import sys, shared.observability; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    answer = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert answer.stdout.strip() == ""
