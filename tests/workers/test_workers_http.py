"""The HTTP connector against a real HTTP server on loopback: requests, responses, the result and error rules,
secrets, limits and bad inputs. Each job runs through ``run_job``, the runtime's client-independent core."""

from __future__ import annotations

import base64
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from workers_support import credentials, http_server, run, sha256

from cadenza.workers import Complete, Fail, Throw, http_connector
from cadenza.workers.connectors import HttpSettings

RESULT = {"resultVariable": "response"}


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with http_server() as url:
        yield url


def response_of(outcome: Any) -> dict[str, Any]:
    assert isinstance(outcome, Complete), outcome
    result: dict[str, Any] = outcome.variables["response"]
    return result


def test_get_maps_status_headers_and_json_body_to_the_result_variable(base: str) -> None:
    outcome = run(http_connector(), {"url": f"{base}/echo", "method": "GET"}, RESULT)
    response = response_of(outcome)
    assert response["status"] == 200
    assert response["headers"]["content-type"] == "application/json; charset=utf-8"
    assert response["body"]["method"] == "GET"
    assert response["body"]["path"] == "/echo"
    assert list(outcome.variables) == ["response"]  # nothing else is written


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_methods_send_a_context_body_as_json(base: str, method: str) -> None:
    variables = {
        "url": f"{base}/echo",
        "method": method,
        "body": {"order": 7, "items": ["a", "b"], "ok": True},
    }
    echo = response_of(run(http_connector(), variables, RESULT))["body"]
    assert echo["method"] == method
    assert json.loads(echo["body"]) == {"order": 7, "items": ["a", "b"], "ok": True}
    assert echo["headers"]["content-type"] == "application/json"


def test_head_and_options_and_an_empty_answer(base: str) -> None:
    head = response_of(run(http_connector(), {"url": f"{base}/echo", "method": "HEAD"}, RESULT))
    assert head["status"] == 200 and head["body"] is None
    options = response_of(run(http_connector(), {"url": f"{base}/echo", "method": "options"}, RESULT))
    assert options["body"]["method"] == "OPTIONS"  # a choice matches ignoring case
    empty = response_of(run(http_connector(), {"url": f"{base}/empty"}, RESULT))
    assert empty == {"status": 204, "headers": empty["headers"], "body": None}


def test_headers_and_query_parameters_are_sent(base: str) -> None:
    variables = {
        "url": f"{base}/echo?fixed=1",
        "headers": {"X-Request-Id": "r-1", "X-Count": 3},
        "queryParameters": {"q": "a b", "tag": ["x", "y"], "n": 5},
    }
    echo = response_of(run(http_connector(), variables, RESULT))["body"]
    assert echo["headers"]["x-request-id"] == "r-1"
    assert echo["headers"]["x-count"] == "3"
    assert echo["query"] == {"fixed": ["1"], "q": ["a b"], "tag": ["x", "y"], "n": ["5"]}


def test_text_bodies_go_as_they_are_and_text_answers_stay_text(base: str) -> None:
    echo = response_of(
        run(http_connector(), {"url": f"{base}/echo", "method": "POST", "body": "hello"}, RESULT)
    )
    assert echo["body"]["body"] == "hello"
    assert echo["body"]["headers"]["content-type"] == "text/plain; charset=utf-8"
    declared = {
        "url": f"{base}/echo",
        "method": "POST",
        "body": '{"a": 1}',
        "headers": {"content-type": "application/json"},
    }
    assert response_of(run(http_connector(), declared, RESULT))["body"]["body"] == '{"a": 1}'
    text = response_of(run(http_connector(), {"url": f"{base}/text"}, RESULT))
    assert text["body"] == "plain words"
    lying = response_of(run(http_connector(), {"url": f"{base}/json-lies"}, RESULT))
    assert lying["body"] == "<html>not json</html>"  # says JSON, is not: kept as text


def test_a_form_body(base: str) -> None:
    variables = {
        "url": f"{base}/echo",
        "method": "POST",
        "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        "body": {"name": "Ada Lovelace", "n": 1},
    }
    assert response_of(run(http_connector(), variables, RESULT))["body"]["body"] == "name=Ada+Lovelace&n=1"


def test_redirects_are_followed(base: str) -> None:
    echo = response_of(run(http_connector(), {"url": f"{base}/redirect?to=/echo"}, RESULT))
    assert echo["status"] == 200 and echo["body"]["path"] == "/echo"


def test_result_expression_maps_parts_of_the_result(base: str) -> None:
    headers = {"resultExpression": "={seen: body.method, ok: status = 200, n: count(body.query.tag)}"}
    outcome = run(http_connector(), {"url": f"{base}/echo?tag=a&tag=b"}, headers)
    assert outcome == Complete({"seen": "GET", "ok": True, "n": 2})


def test_without_result_headers_nothing_is_written(base: str) -> None:
    assert run(http_connector(), {"url": f"{base}/echo"}) == Complete({})


# --- authentication and secrets -------------------------------------------------------------------------

SECRETS = {
    "USER": "ada-lovelace-u",
    "PASSWORD": "pa55-w0rd-xyz",
    "TOKEN": "tok-1234567890",
    "KEY": "key-abcdef123",
}


@pytest.mark.parametrize(
    ("authentication", "received", "expected"),
    [
        (
            {"type": "basic", "username": "{{secrets.USER}}", "password": "{{secrets.PASSWORD}}"},
            "authorization",
            "Basic " + base64.b64encode(b"ada-lovelace-u:pa55-w0rd-xyz").decode(),
        ),
        ({"type": "bearer", "token": "{{secrets.TOKEN}}"}, "authorization", "Bearer tok-1234567890"),
        ({"type": "apiKey", "name": "X-Api-Key", "value": "{{secrets.KEY}}"}, "x-api-key", "key-abcdef123"),
        (
            {"type": "apiKey", "apiKeyLocation": "query", "name": "key", "value": "{{ secrets.KEY }}"},
            "?key",
            "key-abcdef123",
        ),
    ],
    ids=["basic", "bearer", "api-key-header", "api-key-query"],
)
def test_authentication_sends_the_secret_and_keeps_it_out_of_the_variables(
    base: str, authentication: dict[str, str], received: str, expected: str
) -> None:
    variables = {"url": f"{base}/echo", "authentication": authentication}
    outcome = run(http_connector(), variables, RESULT, credentials(SECRETS))
    echo = response_of(outcome)["body"]
    assert echo["sha256"][received] == sha256(expected)  # the server got the real value
    text = json.dumps(outcome.variables)
    for secret in [*SECRETS.values(), expected.split()[-1]]:
        assert secret not in text  # ...which the echo carried back, masked
    assert "****" in text


def test_secrets_stay_out_of_error_messages_and_logs(base: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    port = _closed_port()
    variables = {"url": f"http://127.0.0.1:{port}/{{{{secrets.KEY}}}}/x?token={{{{secrets.TOKEN}}}}"}
    outcome = run(http_connector(), variables, RESULT, credentials(SECRETS))
    assert isinstance(outcome, Fail) and outcome.retries == 2
    assert "CONNECTION_ERROR" not in outcome.message and "failed" in outcome.message
    refused = run(
        http_connector(),
        {
            "url": f"{base}/echo?status=500&k={{{{secrets.KEY}}}}",
            "authentication": {"type": "bearer", "token": "{{secrets.TOKEN}}"},
        },
        {"errorExpression": "=jobError(error.message, {seen: error.response.body})"},
        credentials(SECRETS),
    )
    assert isinstance(refused, Fail)
    assert "****" in json.dumps(refused.variables)  # the echoed query and header, masked
    for secret in SECRETS.values():
        assert secret not in outcome.message
        assert secret not in json.dumps(refused.variables) + refused.message
        assert secret not in caplog.text
    assert "HTTP Request" in caplog.text  # httpx did log the request line, masked


def test_an_unknown_secret_fails_at_once_naming_it(base: str) -> None:
    variables = {"url": f"{base}/echo", "authentication": {"type": "bearer", "token": "{{secrets.NOPE}}"}}
    outcome = run(http_connector(), variables, RESULT, credentials(SECRETS))
    assert outcome == Fail(
        "HTTP request: authentication.token: unknown secret 'NOPE' (tenant '<default>', process 'test-process')",
        0,
    )


def test_secrets_are_scoped_by_tenant_and_process(base: str) -> None:
    from cadenza.workers import MemoryCredentialStore, TenantSecrets

    store = MemoryCredentialStore(
        {
            "<default>": TenantSecrets({"TOKEN": "tenant-wide"}, {"test-process": {"TOKEN": "process-own"}}),
            "other": TenantSecrets({"ONLY_OTHER": "x"}),
        }
    )
    bearer = {"url": f"{base}/echo", "authentication": {"type": "bearer", "token": "{{secrets.TOKEN}}"}}
    own = response_of(run(http_connector(), bearer, RESULT, store))["body"]["sha256"]["authorization"]
    assert own == sha256("Bearer process-own")
    shared = run(http_connector(), bearer, RESULT, store, bpmn_process_id="another-process")
    assert response_of(shared)["body"]["sha256"]["authorization"] == sha256("Bearer tenant-wide")
    foreign = {**bearer, "authentication": {"type": "bearer", "token": "{{secrets.ONLY_OTHER}}"}}
    refused = run(http_connector(), foreign, RESULT, store)
    assert (
        isinstance(refused, Fail)
        and refused.retries == 0
        and "unknown secret 'ONLY_OTHER'" in refused.message
    )


# --- non-2xx, errors, limits ----------------------------------------------------------------------------


def test_a_non_2xx_answer_fails_with_retries_decremented_and_the_backoff(base: str) -> None:
    outcome = run(http_connector(), {"url": f"{base}/echo?status=503"}, {**RESULT, "retryBackoff": "PT5S"})
    assert isinstance(outcome, Fail)
    assert (outcome.retries, outcome.backoff_ms) == (2, 5000)
    assert outcome.message == f"HTTP 503 Service Unavailable from {base}/echo"


def test_error_expression_throws_a_bpmn_error_with_variables(base: str) -> None:
    rule = '=if error.code = "404" then bpmnError("NOT_FOUND", error.message, {why: error.response.body.error}) else null'
    outcome = run(http_connector(), {"url": f"{base}/missing"}, {"errorExpression": rule})
    assert outcome == Throw("NOT_FOUND", f"HTTP 404 Not Found from {base}/missing", {"why": "no such path"})
    other = run(http_connector(), {"url": f"{base}/echo?status=500"}, {"errorExpression": rule})
    assert isinstance(other, Fail) and other.retries == 2  # null: the default rule


def test_error_expression_can_fail_with_chosen_retries_and_backoff(base: str) -> None:
    rule = '=jobError("gave up: " + error.code, {}, 1, duration("PT2S"))'
    outcome = run(http_connector(), {"url": f"{base}/echo?status=429"}, {"errorExpression": rule})
    assert outcome == Fail("gave up: 429", 1, 2000)


def test_error_expression_sees_a_successful_result_too(base: str) -> None:
    rule = '=if status = 200 and body.method = "GET" then bpmnError("SAW_GET", "no GETs here") else null'
    assert run(http_connector(), {"url": f"{base}/echo"}, {"errorExpression": rule}) == Throw(
        "SAW_GET", "no GETs here"
    )


def test_a_timeout_fails_with_retries(base: str) -> None:
    variables = {"url": f"{base}/slow?seconds=1.5", "readTimeoutInSeconds": 0.2}
    outcome = run(
        http_connector(),
        variables,
        {"errorExpression": '=if error.code = "TIMEOUT" then jobError(error.message) else null'},
    )
    assert isinstance(outcome, Fail) and outcome.retries == 2
    assert outcome.message.startswith(f"GET {base}/slow timed out")


def test_an_unreachable_host_fails_with_retries() -> None:
    outcome = run(http_connector(), {"url": f"http://127.0.0.1:{_closed_port()}/x"})
    assert isinstance(outcome, Fail) and outcome.retries == 2 and "failed" in outcome.message


@pytest.mark.parametrize("declare", ["1", "0"], ids=["content-length", "streamed"])
def test_an_oversized_response_fails(base: str, declare: str) -> None:
    small = http_connector(HttpSettings(max_response_bytes=1000))
    fits = run(small, {"url": f"{base}/big?bytes=1000&declare={declare}"}, RESULT)
    assert response_of(fits)["body"] == "x" * 1000
    outcome = run(small, {"url": f"{base}/big?bytes=1001&declare={declare}"}, RESULT)
    assert outcome == Fail("the response body is larger than the worker's limit of 1000 bytes", 2)


# --- bad inputs: no retry burned, a clear message -------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "url: required input is missing"),
        ({"url": ""}, "url: required input is missing"),
        (
            {"url": "http://x", "method": "FETCH"},
            "method: must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, not 'FETCH'",
        ),
        ({"url": "file:///etc/passwd"}, "url: only http and https URLs are allowed, not file"),
        ({"url": "ftp://example.com/x"}, "url: only http and https URLs are allowed, not ftp"),
        ({"url": "example.com/x"}, "url: only http and https URLs are allowed, not no scheme"),
        ({"url": "http://[::1"}, "url: not a valid URL (Invalid port: ':1')"),
        ({"url": 42}, "url: only http and https URLs are allowed, not no scheme"),
        ({"url": {"a": 1}}, "url: expected text, got a context"),
        (
            {"url": "http://x", "headers": "not json"},
            "headers: expected a context (a JSON object), got text that is not JSON",
        ),
        (
            {"url": "http://x", "headers": {"X-A": {"nested": 1}}},
            "headers.X-A: expected text or a number, got dict",
        ),
        (
            {"url": "http://x", "readTimeoutInSeconds": "soon"},
            "readTimeoutInSeconds: expected a number, got text 'soon'",
        ),
        ({"url": "http://x", "readTimeoutInSeconds": -1}, "readTimeoutInSeconds: must be at least 0, not -1"),
        (
            {"url": "http://x", "authentication": {"type": "oauth-client-credentials-flow"}},
            "authentication.type: must be one of noAuth, basic, bearer, apiKey, not 'oauth-client-credentials-flow'",
        ),
        (
            {"url": "http://x", "authentication": {"type": "basic", "username": "u"}},
            "authentication.password: required input is missing",
        ),
        (
            {
                "url": "http://x",
                "method": "POST",
                "body": "{not json",
                "headers": {"Content-Type": "application/json"},
            },
            "body: Content-Type is application/json but the body is not JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))",
        ),
        (
            {
                "url": "http://x",
                "method": "POST",
                "body": {"a": 1},
                "headers": {"Content-Type": "text/plain"},
            },
            "body: a context or list is sent as JSON, but Content-Type is text/plain",
        ),
        (
            {"method": "FETCH", "readTimeoutInSeconds": True},
            "method: must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, not 'FETCH'; url: required input is missing; readTimeoutInSeconds: expected a number, got a boolean",
        ),
    ],
)
def test_bad_inputs_fail_the_job_with_no_retries(variables: dict[str, Any], message: str) -> None:
    assert run(http_connector(), variables) == Fail(f"HTTP request: {message}", 0)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"resultExpression": "={a: "}, "resultExpression: not a valid FEEL expression"),
        ({"errorExpression": "=if then"}, "errorExpression: not a valid FEEL expression"),
        (
            {"retryBackoff": "5 seconds"},
            "retryBackoff: expected an ISO 8601 duration such as PT30S, not '5 seconds'",
        ),
        ({"retryBackoff": "P1M"}, "retryBackoff: expected an ISO 8601 duration such as PT30S, not 'P1M'"),
    ],
)
def test_bad_task_headers_fail_the_job_with_no_retries(
    base: str, headers: dict[str, str], message: str
) -> None:
    outcome = run(http_connector(), {"url": f"{base}/echo"}, headers)
    assert isinstance(outcome, Fail) and outcome.retries == 0
    assert outcome.message.startswith(f"HTTP request: {message}")


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"resultExpression": "=body.method"}, "resultExpression must give a context, not str"),
        ({"errorExpression": '="oops"'}, "errorExpression must give bpmnError(...), jobError(...) or null"),
        (
            {"errorExpression": '=bpmnError("", "m")'},
            "errorExpression: bpmnError needs a non-empty text code",
        ),
        (
            {"errorExpression": '=jobError("m", 1)'},
            "errorExpression: the variables of bpmnError/jobError must be a context",
        ),
        (
            {"errorExpression": '=jobError("m", {}, 1.5)'},
            "errorExpression: the retries of jobError must be a whole number",
        ),
    ],
)
def test_rules_that_give_the_wrong_kind_of_value_fail_with_no_retries(
    base: str, headers: dict[str, str], message: str
) -> None:
    assert run(http_connector(), {"url": f"{base}/echo"}, headers) == Fail(f"HTTP request: {message}", 0)


def test_host_rules_apply_to_the_url_and_to_every_redirect(base: str) -> None:
    port = base.rsplit(":", 1)[1]
    allow_loopback_ip = http_connector(HttpSettings(allowed_hosts=("127.0.0.1",)))
    assert response_of(run(allow_loopback_ip, {"url": f"{base}/echo"}, RESULT))["status"] == 200
    outcome = run(allow_loopback_ip, {"url": f"http://localhost:{port}/echo"})
    assert outcome == Fail(
        "HTTP request: url: requests to host 'localhost' are not allowed by the worker's host rules", 0
    )
    redirected = run(allow_loopback_ip, {"url": f"{base}/redirect?to=http://localhost:{port}/echo"})
    assert redirected == Fail(
        "HTTP request: url: requests to host 'localhost' are not allowed by the worker's host rules", 0
    )
    deny_network = http_connector(HttpSettings(denied_hosts=("127.0.0.0/8",)))
    denied = run(deny_network, {"url": f"{base}/echo"})
    assert (
        isinstance(denied, Fail) and denied.retries == 0 and "'127.0.0.1' are not allowed" in denied.message
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
