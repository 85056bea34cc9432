"""Human tasks: the tasklist service over the Engine port, reading the tasks view (see ARCHITECTURE.md)."""

from __future__ import annotations

from cadenza.tasklist.forms import FieldError, validate_variables
from cadenza.tasklist.queries import TaskFilter
from cadenza.tasklist.service import TaskError, TaskService
from cadenza.tasklist.sla import SlaMonitor

__all__ = ["FieldError", "SlaMonitor", "TaskError", "TaskFilter", "TaskService", "validate_variables"]
