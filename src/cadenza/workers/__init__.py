"""Job workers: the connector shape, the pyzeebe-based runtime, the built-in connectors, element templates.

>>> from cadenza.workers import load_worker_config, run_worker
>>> asyncio.run(run_worker(load_worker_config(address="127.0.0.1:26500")))  # doctest: +SKIP

The runtime modules load pyzeebe and gRPC; import them from :mod:`cadenza.workers.runtime` only where needed.
"""

from cadenza.workers.connector import (
    Choice,
    Condition,
    Connector,
    ConnectorCall,
    Group,
    Handler,
    Input,
    InputType,
    JobInfo,
    Output,
)
from cadenza.workers.connectors import builtin_connectors, http_connector
from cadenza.workers.errors import ConnectorError, ConnectorInputError
from cadenza.workers.execute import run_job
from cadenza.workers.outcome import Complete, Fail, Outcome, Throw
from cadenza.workers.secrets import CredentialStore, FileCredentialStore, MemoryCredentialStore, TenantSecrets
from cadenza.workers.settings import WorkerConfig, load_worker_config
from cadenza.workers.templates import element_template, write_templates

__all__ = [
    "Choice",
    "Complete",
    "Condition",
    "Connector",
    "ConnectorCall",
    "ConnectorError",
    "ConnectorInputError",
    "CredentialStore",
    "Fail",
    "FileCredentialStore",
    "Group",
    "Handler",
    "Input",
    "InputType",
    "JobInfo",
    "MemoryCredentialStore",
    "Outcome",
    "Output",
    "TenantSecrets",
    "Throw",
    "WorkerConfig",
    "builtin_connectors",
    "element_template",
    "http_connector",
    "load_worker_config",
    "run_job",
    "write_templates",
]
