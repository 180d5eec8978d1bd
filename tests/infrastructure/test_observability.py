"""Traces, and the API's own alarms: 5xx rate and latency from API Gateway's metrics."""

from __future__ import annotations

from typing import Any

from infrastructure.constructs.alarms import API_5XX_RATE, API_P95_LATENCY
from tests.infrastructure.conftest import Synthesized


def _api(synthesized: Synthesized) -> dict[str, Any]:
    (api,) = synthesized.resources("AWS::Serverless::Api").values()
    properties: dict[str, Any] = api["Properties"]
    return properties


def _api_alarm(synthesized: Synthesized, metric: str) -> dict[str, Any]:
    alarms: list[dict[str, Any]] = [
        a["Properties"]
        for a in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == "AWS/ApiGateway"
        and a["Properties"]["MetricName"] == metric
    ]
    (alarm,) = alarms
    return alarm


def _dimensions(alarm: dict[str, Any]) -> dict[str, Any]:
    return {d["Name"]: d["Value"] for d in alarm["Dimensions"]}


def test_every_function_is_traced_and_may_send_traces(synthesized: Synthesized) -> None:
    for name, function in synthesized.functions().items():
        assert function["Properties"]["Tracing"] == "Active", name
        role_id = synthesized.logical_id(function["Properties"]["Role"])
        role = synthesized.document["Resources"][role_id]["Properties"]
        statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
        assert any("xray:PutTraceSegments" in s["Action"] for s in statements), name


def test_the_api_is_traced_and_named_per_stage(synthesized: Synthesized) -> None:
    api = _api(synthesized)
    assert api["TracingEnabled"] is True
    assert api["Name"] == "classreel-dev-api"


def test_a_5xx_rate_alarm_watches_the_api(synthesized: Synthesized) -> None:
    alarm = _api_alarm(synthesized, "5XXError")
    assert _dimensions(alarm) == {
        "ApiName": "classreel-dev-api",
        "Stage": _api(synthesized)["StageName"],
    }
    assert alarm["Statistic"] == "Average"
    assert alarm["Threshold"] == API_5XX_RATE
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_a_latency_alarm_watches_the_apis_p95(synthesized: Synthesized) -> None:
    alarm = _api_alarm(synthesized, "Latency")
    assert _dimensions(alarm)["ApiName"] == "classreel-dev-api"
    assert alarm["ExtendedStatistic"] == "p95"
    assert alarm["Threshold"] == API_P95_LATENCY.to_milliseconds()
    assert alarm["EvaluationPeriods"] == 3
