"""From the HTTP connector's validated inputs to the request it sends.

The body rule, by the type of ``body`` and the ``Content-Type`` header (matched ignoring case):

- a context or list (or a number or boolean): sent as JSON (``Content-Type: application/json`` unless given);
  a context with ``Content-Type: application/x-www-form-urlencoded`` is sent as a form; any other declared
  type is refused (the connector will not guess how to write a context as ``text/plain``);
- text: sent as it is (``Content-Type: text/plain; charset=utf-8`` unless given); with a JSON content type it
  must be valid JSON, so a typo fails the job at once instead of being posted.

Authentication (``authentication.type``): ``noAuth``, ``basic`` (username, password), ``bearer`` (token) or
``apiKey`` (name and value, sent as a header or a query parameter per ``apiKeyLocation``). It overrides a
header of the same name.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from cadenza.workers.connectors.http_policy import HttpSettings, check_url
from cadenza.workers.errors import ConnectorInputError
from cadenza.workers.secrets import Redactor

__all__ = ["RequestSpec", "build_request"]


@dataclass(frozen=True, slots=True)
class RequestSpec:
    method: str
    url: httpx.URL
    headers: dict[str, str]
    content: bytes | None
    timeout: httpx.Timeout


def build_request(inputs: Mapping[str, Any], settings: HttpSettings, redactor: Redactor) -> RequestSpec:
    """Raises ConnectorInputError for inputs that make no request."""
    url = check_url(inputs["url"], settings)
    headers = _text_map(inputs.get("headers") or {}, "headers")
    params = _params(inputs.get("queryParameters") or {})
    _authenticate(inputs, headers, params, redactor)
    if params:
        url = url.copy_merge_params(params)  # added to the URL's own query (httpx's params= would replace it)
    content = _body(inputs.get("body"), headers) if "body" in inputs else None
    connect = _seconds(inputs["connectionTimeoutInSeconds"])
    read = _seconds(inputs["readTimeoutInSeconds"])
    timeout = httpx.Timeout(connect=connect, read=read, write=read, pool=connect)
    return RequestSpec(inputs["method"], url, headers, content, timeout)


def _seconds(value: float) -> float | None:
    return None if value == 0 else float(value)  # 0 means no timeout, as in Camunda's connector


def _scalar_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ConnectorInputError(f"{where}: expected text or a number, got {type(value).__name__}")


def _text_map(values: Mapping[str, Any], where: str) -> dict[str, str]:
    return {str(name): _scalar_text(value, f"{where}.{name}") for name, value in values.items()}


def _params(values: Mapping[str, Any]) -> dict[str, str | list[str]]:
    params: dict[str, str | list[str]] = {}
    for name, value in values.items():
        where = f"queryParameters.{name}"
        if isinstance(value, list):
            params[name] = [_scalar_text(item, where) for item in value]
        else:
            params[name] = _scalar_text(value, where)
    return params


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _set_header(headers: dict[str, str], name: str, value: str) -> None:
    for key in [key for key in headers if key.lower() == name.lower()]:
        del headers[key]
    headers[name] = value


def _authenticate(
    inputs: Mapping[str, Any], headers: dict[str, str], params: dict[str, str | list[str]], redactor: Redactor
) -> None:
    kind = inputs["authentication.type"]
    if kind == "basic":
        pair = f"{inputs['authentication.username']}:{inputs['authentication.password']}"
        token = base64.b64encode(pair.encode()).decode("ascii")
        redactor.add(token)  # an echo of the header must not reveal the password either
        _set_header(headers, "Authorization", f"Basic {token}")
    elif kind == "bearer":
        _set_header(headers, "Authorization", f"Bearer {inputs['authentication.token']}")
    elif kind == "apiKey":
        name, value = inputs["authentication.name"], inputs["authentication.value"]
        if inputs["authentication.apiKeyLocation"] == "query":
            params[name] = value
        else:
            _set_header(headers, name, value)


def _is_json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _body(body: Any, headers: dict[str, str]) -> bytes:
    declared = _header(headers, "content-type")
    if isinstance(body, str):
        if declared is None:
            _set_header(headers, "Content-Type", "text/plain; charset=utf-8")
        elif _is_json_type(declared):
            try:
                json.loads(body)
            except ValueError as error:
                raise ConnectorInputError(
                    f"body: Content-Type is {declared} but the body is not JSON ({error})"
                ) from None
        return body.encode("utf-8")
    if (
        declared is not None
        and declared.split(";", 1)[0].strip().lower() == "application/x-www-form-urlencoded"
    ):
        if not isinstance(body, dict):
            raise ConnectorInputError("body: a form body must be a context")
        return urlencode(_text_map(body, "body")).encode("ascii")
    if declared is None:
        _set_header(headers, "Content-Type", "application/json")
    elif not _is_json_type(declared):
        raise ConnectorInputError(f"body: a context or list is sent as JSON, but Content-Type is {declared}")
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
