"""The agent tests also use the worker tests' helpers (template_bpmn: a task made from an element template)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
