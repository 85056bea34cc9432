"""How a failed request becomes a gRPC status (ZEEBE-SEMANTICS §11).

Handlers raise :class:`RpcFailure`; the ``unary`` and ``streaming`` wrappers turn it into the call's status.
Engine rejections keep Zeebe's message form: ``Command '<INTENT>' rejected with code '<TYPE>': <reason>``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine
from typing import Any, TypeVar

import grpc

from cadenza.core.records import Record, RejectionType

__all__ = ["Context", "RpcFailure", "invalid", "rejected", "streaming", "unary"]

Context = grpc.aio.ServicerContext[Any, Any]
S = TypeVar("S")
Q = TypeVar("Q")
R = TypeVar("R")

_CODES = {
    RejectionType.INVALID_ARGUMENT: grpc.StatusCode.INVALID_ARGUMENT,
    RejectionType.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    RejectionType.ALREADY_EXISTS: grpc.StatusCode.ALREADY_EXISTS,
    RejectionType.INVALID_STATE: grpc.StatusCode.FAILED_PRECONDITION,
    RejectionType.PROCESSING_ERROR: grpc.StatusCode.INTERNAL,
    RejectionType.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
    RejectionType.EXCEEDED_BATCH_RECORD_SIZE: grpc.StatusCode.RESOURCE_EXHAUSTED,
}


class RpcFailure(Exception):
    """Ends the call with ``code`` and ``message``; nothing else happens for it."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid(reason: str) -> RpcFailure:
    return RpcFailure(grpc.StatusCode.INVALID_ARGUMENT, reason)


def rejected(record: Record) -> RpcFailure:
    code = _CODES.get(record.rejection_type, grpc.StatusCode.INTERNAL)
    message = (
        f"Command '{record.intent}' rejected with code '{record.rejection_type}': {record.rejection_reason}"
    )
    return RpcFailure(code, message)


def unary(
    handler: Callable[[S, Q, Context], Awaitable[R]],
) -> Callable[[S, Q, Context], Coroutine[Any, Any, R]]:
    @functools.wraps(handler)
    async def call(self: S, request: Q, context: Context) -> R:
        try:
            return await handler(self, request, context)
        except RpcFailure as failure:
            await context.abort(failure.code, failure.message)

    return call


def streaming(
    handler: Callable[[S, Q, Context], AsyncGenerator[R, None]],
) -> Callable[[S, Q, Context], AsyncGenerator[R, None]]:
    @functools.wraps(handler)
    async def call(self: S, request: Q, context: Context) -> AsyncGenerator[R, None]:
        responses = handler(self, request, context)
        try:
            async for response in responses:
                yield response
        except RpcFailure as failure:
            await context.abort(failure.code, failure.message)
        finally:
            # Closed now, not whenever it is collected: its clean-up hands unsent jobs back.
            await responses.aclose()

    return call
