"""A bound on request bodies, applied before a body is read: an oversized request costs no memory.

Bodies that carry variables are bounded by the variables limit plus room for the other fields; deployments by
a multiple of the XML size bound. A declared Content-Length over the bound is refused at once; a body without
one (chunked) is read up to the bound first and refused as soon as it passes it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cadenza.api.problems import Problem, problem_response

__all__ = ["BodyLimit"]

#: Room for the fields beside a variables document (names, keys, flags).
_ENVELOPE_BYTES = 64 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_variables_bytes: int, max_deployment_bytes: int) -> None:
        self.app = app
        self.max_variables_bytes = max_variables_bytes
        self.max_deployment_bytes = max_deployment_bytes

    def bound(self, path: str) -> int:
        if path == "/v1/workflows" or path.startswith("/v1/workspace"):
            return self.max_deployment_bytes
        return self.max_variables_bytes + _ENVELOPE_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        bound = self.bound(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > bound:
            await self._refuse(int(declared), bound, scope, receive, send)
            return
        if declared:
            await self.app(scope, receive, send)
            return
        messages, seen = [], 0
        while True:
            message = await receive()
            messages.append(message)
            seen += len(message.get("body", b""))
            if seen > bound:
                await self._refuse(seen, bound, scope, receive, send)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        await self.app(scope, _replay(messages, receive), send)

    async def _refuse(self, size: int, bound: int, scope: Scope, receive: Receive, send: Send) -> None:
        detail = f"the request body is at least {size:,} bytes, over this path's limit of {bound:,} bytes"
        refused = problem_response(Problem(413, detail, kind="body-too-large", limit=bound), scope["path"])
        await refused(scope, receive, send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that hands out the buffered messages, then goes on with the real one."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
