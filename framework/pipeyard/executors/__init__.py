"""Executors run one step's command somewhere; the scheduler decides what and when."""

from .base import Executor, StepResult, StepTask
from .capacity import detect_capacity
from .local import LocalExecutor

__all__ = ["Executor", "LocalExecutor", "StepResult", "StepTask", "detect_capacity"]
