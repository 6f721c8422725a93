"""Events are frozen values; the recording reporter keeps them in order."""

from __future__ import annotations

import dataclasses

import pytest

from pipeyard.model import Capacity, Resources
from pipeyard.runner import events as ev


def test_recording_reporter_keeps_events_in_order():
    reporter = ev.RecordingReporter()
    reporter(ev.RunStarted("r1", ("a",), Capacity(cpus=1, memory_mb=0)))
    reporter(ev.StepStarted("a", "local", Resources(), (), 1))
    reporter(ev.StepFinished("a", "ran", 0.5, ("forced",)))
    reporter(ev.RunFinished("succeeded", 0.6, {"ran": 1}))
    assert [type(e) for e in reporter.events] == [
        ev.RunStarted,
        ev.StepStarted,
        ev.StepFinished,
        ev.RunFinished,
    ]
    assert reporter.statuses() == {"a": "ran"}
    assert reporter.of_type(ev.StepStarted)[0].executor == "local"


def test_events_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.StepQueued("a").name = "b"  # type: ignore[misc]
