"""``cadenza serve --demo``: built-in workers that complete the sample order process's work, so the README's
first command shows an instance run to its end with no worker of one's own.

They complete the jobs of ``bpmn/order-process.bpmn``'s service tasks and approve its user tasks. They talk to
the embedded engine directly (the user tasks through its state) and are not for production use.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from cadenza.core.records import ValueType
from cadenza.engine_adapters.embedded import EmbeddedEngine

__all__ = ["DEMO_JOB_RESULTS", "DemoWorkers"]

#: Job type -> the variables the demo worker completes its jobs with.
DEMO_JOB_RESULTS: dict[str, dict[str, Any]] = {
    "check-order": {"valid": True},
    "ship-order": {"shipped": True},
}
_USER_TASK_RESULT = json.dumps({"approved": True, "approvedBy": "demo"})


class DemoWorkers:
    def __init__(self, engine: EmbeddedEngine, *, poll_seconds: float = 0.1) -> None:
        self.engine = engine
        self.poll_seconds = poll_seconds
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._work(job_type, json.dumps(result)))
            for job_type, result in DEMO_JOB_RESULTS.items()
        ]
        self._tasks.append(asyncio.create_task(self._approve()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _work(self, job_type: str, variables: str) -> None:
        request = {"type": job_type, "worker": "cadenza-demo", "timeout": 30_000, "maxJobsToActivate": 32}
        while True:
            batch = await self.engine.activate_jobs(request, request_timeout_ms=1_000)
            for key in batch.value.get("jobKeys", []):
                await self.engine.submit(ValueType.JOB, "COMPLETE", {"variables": variables}, key=key)

    async def _approve(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            for task in self.engine.engine.state.user_tasks.open_tasks():
                value = {"variables": _USER_TASK_RESULT}
                await self.engine.submit(ValueType.USER_TASK, "COMPLETE", value, key=task["userTaskKey"])
