"""The API's 13710 checkpoints carry what the selector knows: `done` once the event happened
(the lead unit signed, the first progress report, a completion request) and `waiting` (the units
that have not signed), in the data and in the OpenAPI schema."""
import pytest

from tasks.services.workflow import acknowledge, report_progress

pytestmark = pytest.mark.django_db


def _checkpoints(client, user, task) -> dict:
    client.force_login(user)
    r = client.get(f"/api/tasks/{task.pk}/")
    assert r.status_code == 200
    return {c["key"]: c for c in r.json()["checkpoints"]}


def test_checkpoints_say_done_and_who_is_waiting(client, make_task, units, users):
    task = make_task()  # 县发改局 主办, 县财政局 协办
    cps = _checkpoints(client, users["op_a"], task)
    assert [c["done"] for c in cps.values()] == [False, False, False]
    assert cps["deploy"]["waiting"] == ["县发改局", "县财政局"] and cps["report"]["waiting"] == []

    acknowledge(task=task, unit=units["a"], by=users["op_a"])
    cps = _checkpoints(client, users["op_a"], task)
    # the lead unit signed: 部署签收 is done; the co-unit that has not signed is named, not blocking
    assert cps["deploy"]["done"] is True and cps["deploy"]["met"] is True and cps["deploy"]["done_at"]
    assert cps["deploy"]["waiting"] == ["县财政局"]
    assert cps["report"]["done"] is False and cps["report"]["done_at"] is None

    report_progress(task=task, unit=units["a"], by=users["op_a"], text="已制定实施方案", percent=10)
    cps = _checkpoints(client, users["staff"], task)
    assert cps["report"]["done"] is True and cps["settle"]["done"] is False


def test_schema_documents_done_and_waiting(client, users):
    client.force_login(users["staff"])
    r = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert r.status_code == 200
    schema = r.json()["components"]["schemas"]["Checkpoint"]
    assert {"done", "waiting"} <= set(schema["properties"]) and {"done", "waiting"} <= set(schema["required"])
    assert schema["properties"]["waiting"]["type"] == "array"
