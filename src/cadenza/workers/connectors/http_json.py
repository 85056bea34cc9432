"""The HTTP connector: one request with httpx, the response as the result ``{status, headers, body}``.

Its inputs carry the names of Camunda's REST connector (``method``, ``url``, ``headers``, ``queryParameters``,
``body``, ``connectionTimeoutInSeconds``, ``readTimeoutInSeconds``, ``authentication.*``) and it serves
Camunda's job type ``io.camunda:http-json:1`` besides its own, so a model made with Camunda's REST connector
template runs unchanged (OAuth client credentials excepted: refused as an unknown authentication type).

The response body is parsed as JSON when its content type says JSON (and it parses), else kept as text; an
empty body is null. A non-2xx status is a :class:`ConnectorError` with ``code`` the status (``"404"``) and the
response under ``error.response``; a timeout (``TIMEOUT``), an unreachable host (``CONNECTION_ERROR``) or an
oversized body (``RESPONSE_TOO_LARGE``) likewise. The task's ``errorExpression`` decides what each becomes.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from cadenza.workers.connector import (
    Choice,
    Condition,
    Connector,
    ConnectorCall,
    Group,
    Input,
    InputType,
    Output,
)
from cadenza.workers.connectors.http_policy import HttpSettings, check_host
from cadenza.workers.connectors.http_request import RequestSpec, build_request
from cadenza.workers.errors import ConnectorError

__all__ = ["CAMUNDA_JOB_TYPE", "HTTP_JOB_TYPE", "HttpJsonHandler", "http_connector"]

HTTP_JOB_TYPE = "io.cadenza:http-json:1"
CAMUNDA_JOB_TYPE = "io.camunda:http-json:1"
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


def _auth(name: str, label: str, kind: str, **extra: Any) -> Input:
    condition = Condition("authentication.type", (kind,))
    return Input(
        f"authentication.{name}", label, required=True, group="authentication", condition=condition, **extra
    )


INPUTS = (
    Input(
        "authentication.type",
        "Authentication",
        InputType.CHOICE,
        default="noAuth",
        group="authentication",
        choices=(
            Choice("noAuth", "None"),
            Choice("basic", "Basic"),
            Choice("bearer", "Bearer token"),
            Choice("apiKey", "API key"),
        ),
    ),
    _auth("username", "Username", "basic", secret=True),
    _auth("password", "Password", "basic", secret=True, description="Use a secret: {{secrets.NAME}}"),
    _auth("token", "Bearer token", "bearer", secret=True, description="Use a secret: {{secrets.NAME}}"),
    _auth(
        "apiKeyLocation",
        "API key location",
        "apiKey",
        type=InputType.CHOICE,
        default="headers",
        choices=(Choice("headers", "Header"), Choice("query", "Query parameter")),
    ),
    _auth("name", "API key name", "apiKey"),
    _auth("value", "API key value", "apiKey", secret=True, description="Use a secret: {{secrets.NAME}}"),
    Input(
        "method",
        "Method",
        InputType.CHOICE,
        required=True,
        default="GET",
        group="endpoint",
        choices=tuple(Choice(method, method) for method in METHODS),
    ),
    Input("url", "URL", required=True, group="endpoint", secret=True, description="An http or https URL"),
    Input(
        "headers",
        "Headers",
        InputType.CONTEXT,
        group="endpoint",
        secret=True,
        description='A context of header names to values, e.g. ={"X-Request-Id": requestId}',
    ),
    Input(
        "queryParameters",
        "Query parameters",
        InputType.CONTEXT,
        group="endpoint",
        secret=True,
        description="A context of parameter names to values (a list repeats the parameter)",
    ),
    Input(
        "body",
        "Request body",
        InputType.ANY,
        group="payload",
        secret=True,
        description="A context or list is sent as JSON; text is sent as it is",
    ),
    Input(
        "connectionTimeoutInSeconds",
        "Connection timeout (seconds)",
        InputType.NUMBER,
        default=20,
        minimum=0,
        group="timeout",
        description="0 waits without limit",
    ),
    Input(
        "readTimeoutInSeconds",
        "Read timeout (seconds)",
        InputType.NUMBER,
        default=20,
        minimum=0,
        group="timeout",
        description="0 waits without limit",
    ),
)

OUTPUTS = (
    Output("status", "Status", "The HTTP status code"),
    Output("headers", "Headers", "The response headers (lower-case names)"),
    Output("body", "Body", "Parsed JSON when the response is JSON, else text; null when empty"),
)

GROUPS = (
    Group("authentication", "Authentication"),
    Group("endpoint", "HTTP endpoint"),
    Group("payload", "Payload"),
    Group("timeout", "Timeouts"),
)


class HttpJsonHandler:
    """The handler, owning one connection pool for all its calls (closed by the runtime when it stops)."""

    def __init__(self, settings: HttpSettings | None = None) -> None:
        self.settings = settings or HttpSettings()
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                max_redirects=self.settings.max_redirects,
                event_hooks={"request": [self._check_redirect]},
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _check_redirect(self, request: httpx.Request) -> None:
        check_host(request.url.host, self.settings)  # every hop, so a redirect cannot leave the rules

    async def __call__(self, call: ConnectorCall) -> dict[str, Any]:
        spec = build_request(call.inputs, self.settings, call.redactor)
        request = self.client.build_request(
            spec.method,
            spec.url,
            headers=spec.headers,
            content=spec.content,
            timeout=spec.timeout,
        )
        try:
            response = await self.client.send(request, stream=True, follow_redirects=True)
        except httpx.TimeoutException as error:
            raise ConnectorError(
                "TIMEOUT", f"{spec.method} {_where(spec)} timed out ({type(error).__name__})"
            ) from None
        except httpx.HTTPError as error:
            raise ConnectorError(
                "CONNECTION_ERROR", f"{spec.method} {_where(spec)} failed: {error}"
            ) from None
        try:
            raw = await self._read(response)
        finally:
            await response.aclose()
        result = {
            "status": response.status_code,
            "headers": dict(response.headers.items()),
            "body": _body(response, raw),
        }
        if not response.is_success:
            message = f"HTTP {response.status_code} {response.reason_phrase} from {_where(spec)}"
            raise ConnectorError(str(response.status_code), message, {"response": result})
        return result

    async def _read(self, response: httpx.Response) -> bytes:
        limit = self.settings.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_large(limit)
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise ConnectorError("TIMEOUT", "timed out while reading the response body") from None
        except httpx.HTTPError as error:
            raise ConnectorError("CONNECTION_ERROR", f"reading the response body failed: {error}") from None
        return b"".join(chunks)


def _where(spec: RequestSpec) -> str:
    # scheme, host, port and path: never the user-info or the query, where credentials tend to travel
    port = f":{spec.url.port}" if spec.url.port is not None else ""
    return f"{spec.url.scheme}://{spec.url.host}{port}{spec.url.path}"


def _too_large(limit: int) -> ConnectorError:
    return ConnectorError(
        "RESPONSE_TOO_LARGE", f"the response body is larger than the worker's limit of {limit} bytes"
    )


def _body(response: httpx.Response, raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode(response.charset_encoding or "utf-8", errors="replace")
    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media == "application/json" or media.endswith("+json"):
        try:
            return json.loads(text)
        except ValueError:
            pass  # a server that says JSON and sends something else: keep what it sent
    return text


def http_connector(settings: HttpSettings | None = None) -> Connector:
    """The HTTP connector's declaration, with a handler bound to ``settings``."""
    handler = HttpJsonHandler(settings)
    return Connector(
        name="http",
        title="HTTP request",
        job_type=HTTP_JOB_TYPE,
        aliases=(CAMUNDA_JOB_TYPE,),
        template_id="io.cadenza.connectors.HttpJson.v1",
        description="Send an HTTP request; the response becomes the result {status, headers, body}",
        handler=handler,
        inputs=INPUTS,
        outputs=OUTPUTS,
        groups=GROUPS,
        resources=(handler,),
    )
