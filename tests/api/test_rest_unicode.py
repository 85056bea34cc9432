"""JSON bodies may spell a lone surrogate (``"\\ud800"``), which no store can write: the REST API answers a 400
problem naming the property, on SQLite and PostgreSQL, and the engine runs on."""

from __future__ import annotations

import httpx
from rest_support import FIXTURES, assert_problem, deploy, run

from cadenza.api.rest.wiring import LocalApi

FIXTURE = FIXTURES / "charge-and-wait.bpmn"
JSON = {"content-type": "application/json"}


async def _post(client: httpx.AsyncClient, path: str, body: str) -> httpx.Response:
    # Sent as written: the client's own JSON encoder would refuse to encode the surrogate.
    return await client.post(path, content=body.encode(), headers=JSON)


def test_lone_surrogates_in_bodies_are_400_problems_naming_the_property(store_url: str) -> None:
    async def scenario(api: LocalApi) -> None:
        client = api.client()
        await deploy(client, FIXTURE)
        execute = "/v1/workflows/charge-and-wait/execute"
        refused = await _post(client, execute, '{"variables": {"orderId": "o-\\ud800"}}')
        assert_problem(refused, 400, "property 'variables.orderId' contains a lone surrogate")
        refused = await _post(client, execute, '{"variables": {"orderId": "o-1"}, "businessKey": "\\udfff"}')
        assert_problem(refused, 400, "property 'businessKey' contains a lone surrogate")
        refused = await _post(client, "/v1/messages", '{"name": "paid\\ud800", "correlationKey": "o-1"}')
        assert_problem(refused, 400, "property 'name' contains a lone surrogate")
        refused = await _post(client, "/v1/jobs/activate", '{"type": "\\ud800", "maxJobs": 1}')
        assert_problem(refused, 400, "property 'type' contains a lone surrogate")
        refused = await _post(client, execute, '{"variables": {"a\\udc00b": 1}}')  # in a name
        assert_problem(refused, 400, "property 'variables.a\\udc00b' contains a lone surrogate")
        deployment = '{"resources": [{"name": "x\\ud800.bpmn", "content": ""}]}'
        refused = await _post(client, "/v1/workflows", deployment)
        assert_problem(refused, 400, "Invalid JSON: unexpected end of hex escape")  # pydantic's own parser

        # The engine runs on: an instance with a real astral character starts, its job completes, but not
        # with a document holding a lone surrogate.
        started = await _post(client, execute, '{"variables": {"orderId": "o-\\ud83d\\ude00"}}')
        assert started.status_code == 200, started.text
        activated = await client.post("/v1/jobs/activate", json={"type": "charge", "maxJobs": 1})
        [job] = activated.json()["jobs"]
        assert job["variables"]["orderId"] == "o-\U0001f600"
        complete = f"/v1/jobs/{job['key']}/complete"
        refused = await _post(client, complete, '{"variables": {"note": ["\\ud800"]}}')
        assert_problem(refused, 400, "property 'variables.note[0]' contains a lone surrogate")
        done = await client.post(complete, json={"variables": {"charged": True}})
        assert done.status_code == 200, done.text

    run(store_url, scenario)
