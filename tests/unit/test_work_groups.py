"""Which tests share a worker under `make test` (tests/conftest.py): those that share a costly
fixture run in one group, every other test on its own."""

from __future__ import annotations

from tests.conftest import work_group


def test_tests_sharing_a_costly_fixture_share_a_group_and_the_others_run_alone() -> None:
    assert work_group("tests/infra/test_stack.py::test_every_queue_has_a_dead_letter_queue") == "infra"
    assert work_group("tests/infra/test_partitions.py::test_x") == "infra"  # one synth per session
    assert work_group("tests/browser/test_console_cases.py::test_y[desktop]") == "browser"
    assert work_group("tests/web/test_frontends.py::test_the_component_tests_pass") == "web"
    assert work_group("tests/e2e/test_points_e2e.py::test_z") == "e2e-test_points_e2e"  # a stack per module
    assert work_group("tests/e2e/test_cases_e2e.py::test_z") == "e2e-test_cases_e2e"
    assert work_group("tests/unit/test_points_api.py::test_a") is None
    assert work_group("tests/unit/test_route_safety.py::test_b[GET /v1/health as no-token]") is None
