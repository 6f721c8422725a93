"""Planning and running a compiled pipeline: pure plan, one coordinator, events, records."""

from .events import RecordingReporter, Reporter
from .lock import RunLock
from .plan import Plan, PlannedStep, plan
from .records import RunRecord, list_records, new_run_id, write_record
from .scheduler import Scheduler
from .summary import RunSummary, StepOutcome

__all__ = [
    "Plan",
    "PlannedStep",
    "RecordingReporter",
    "Reporter",
    "RunLock",
    "RunRecord",
    "RunSummary",
    "Scheduler",
    "StepOutcome",
    "list_records",
    "new_run_id",
    "plan",
    "write_record",
]
