"""Run an Azure ML parallel job's entry script over mini-batches with a pool of worker processes.

Each worker imports the entry script from the working folder (the job's code), with
``sys.argv`` set to the script and its ``program_arguments`` (as on Azure, so ``init()`` may
parse them), and calls ``init()`` once. Every mini-batch goes to ``run(mini_batch)``; one that
raises or passes ``retry_settings.timeout`` is tried again up to ``max_retries`` times. A
mini-batch that still fails counts against ``mini_batch_error_threshold``; its items, and
the items ``run()`` did not return a result for, count against ``error_threshold`` (-1:
no limit). Results are gathered in mini-batch order (so a rerun writes the same file): with
``append_row_to`` every returned item becomes a line (a DataFrame row: its values joined by
spaces), in the file named, or in ``parallel_run_step.txt`` when it names a folder.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import multiprocessing
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from .batches import BatchError, MiniBatch, mini_batches

DEFAULT_RESULT_FILE = "parallel_run_step.txt"
CPUS_VARIABLE = "PIPEYARD_CPUS"  # the CPUs the step reserves (set by pipeyard.compile)
_entry: dict[str, Any] = {}


@dataclass(frozen=True)
class ParallelSettings:
    """What the parallel job asks for (names as in Azure ML's YAML)."""

    entry_script: str
    input_data: str
    mini_batch_size: str = "1"
    workers: int = 1
    mini_batch_error_threshold: int = 0
    error_threshold: int = -1
    max_retries: int = 3
    timeout_s: float = 60.0
    logging_level: str = "INFO"
    append_row_to: str | None = None
    program_arguments: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class Outcome:
    """What became of the mini-batches: results in order, failures with their last error."""

    results: dict[int, Any] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)


def _init_worker(script: str, arguments: tuple[str, ...], level: str) -> None:
    try:
        _load_entry(script, arguments, level)
    except BaseException as exc:  # noqa: BLE001 -- a failing init() fails every mini-batch, not the pool
        _entry["error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _load_entry(script: str, arguments: tuple[str, ...], level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level, logging.INFO),
        format="%(asctime)s %(levelname)s %(processName)s %(message)s",
    )
    sys.argv = [script, *arguments]
    folder = os.path.dirname(os.path.abspath(script))
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location("entry_script", script)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load entry_script {script}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "run", None)):
        raise AttributeError(f"entry_script {script} has no run(mini_batch) function")
    if callable(getattr(module, "init", None)):
        module.init()
    _entry["module"] = module


def _run_batch(items: Any) -> Any:
    if "error" in _entry:
        raise RuntimeError(f"init() of the entry script failed: {_entry['error']}")
    return _entry["module"].run(items)


def _serve(connection: Connection, script: str, arguments: tuple[str, ...], level: str) -> None:
    """A worker process: init() once, then run(mini_batch) for each (index, items) received."""
    _init_worker(script, arguments, level)
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, items = message
        try:
            reply = (index, True, _run_batch(items))
        except BaseException as exc:  # noqa: BLE001 -- the user's run() failed: the driver retries or counts it
            reply = (index, False, "".join(traceback.format_exception_only(type(exc), exc)).strip())
        try:
            connection.send(reply)
        except Exception as exc:  # noqa: BLE001 -- e.g. a result that cannot be pickled
            connection.send((index, False, f"its result could not be sent back: {exc}"))


class _Worker:
    """One worker process and its end of the pipe; replaced when it hangs or dies."""

    def __init__(self, context: Any, settings: ParallelSettings, number: int) -> None:
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve,
            name=f"worker-{number}",
            daemon=True,
            args=(theirs, settings.entry_script, settings.program_arguments, settings.logging_level),
        )
        self.process.start()
        theirs.close()
        self.batch: MiniBatch | None = None
        self.started = 0.0

    def give(self, batch: MiniBatch) -> None:
        self.batch, self.started = batch, time.monotonic()
        self.connection.send((batch.index, batch.items))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            with contextlib.suppress(OSError):
                self.connection.send(None)
        self.process.join(timeout=None if kill else 5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


def run_parallel(settings: ParallelSettings) -> tuple[Outcome, list[MiniBatch]]:
    """Run every mini-batch (with retries) and return what happened to each.

    A mini-batch that passes the timeout has its worker killed at once (and a fresh one,
    init() again, takes its place), so a stuck run() holds no CPU while the rest go on; a
    worker that dies (a crash, os._exit) fails its mini-batch the same way.
    """
    batches = mini_batches(Path(settings.input_data), settings.mini_batch_size)
    outcome = Outcome()
    if not batches:
        return outcome, batches
    context = multiprocessing.get_context("spawn")
    count = max(1, min(settings.workers, len(batches)))
    workers = [_Worker(context, settings, n) for n in range(count)]
    pending = list(batches)
    try:
        while pending or any(w.batch is not None for w in workers):
            for position, worker in enumerate(workers):
                if worker.batch is None and pending:
                    batch = pending.pop(0)
                    outcome.attempts[batch.index] = outcome.attempts.get(batch.index, 0) + 1
                    try:
                        worker.give(batch)
                    except OSError:  # the worker died while idle (e.g. its init() exited)
                        _settle(
                            outcome,
                            batch,
                            f"its worker died (exit code {worker.process.exitcode})",
                            settings,
                            pending,
                        )
                        workers[position] = _replace(worker, context, settings, kill=True)
            busy = {w.connection: w for w in workers if w.batch is not None}
            for ready in wait(list(busy), timeout=0.05):
                worker = busy[ready]
                try:
                    index, ok, value = worker.connection.recv()
                except (EOFError, OSError):
                    worker.process.join(timeout=5)
                    _settle(
                        outcome,
                        worker.batch,
                        f"its worker died (exit code {worker.process.exitcode})",
                        settings,
                        pending,
                    )
                    workers[workers.index(worker)] = _replace(worker, context, settings, kill=True)
                    continue
                worker.batch = None
                if ok:
                    outcome.results[index] = value
                    outcome.failed.pop(index, None)
                else:
                    _settle(outcome, batches[index], value, settings, pending)
            now = time.monotonic()
            for position, worker in enumerate(workers):
                if worker.batch is not None and now - worker.started > settings.timeout_s:
                    _settle(
                        outcome, worker.batch, f"timed out after {settings.timeout_s:g}s", settings, pending
                    )
                    workers[position] = _replace(worker, context, settings, kill=True)
    finally:
        for worker in workers:
            worker.stop(kill=worker.batch is not None)
    return outcome, batches


def _replace(worker: _Worker, context: Any, settings: ParallelSettings, kill: bool) -> _Worker:
    number = int(worker.process.name.rsplit("-", 1)[-1])
    worker.batch = None
    worker.stop(kill=kill)
    return _Worker(context, settings, number)


def _settle(
    outcome: Outcome,
    batch: MiniBatch | None,
    error: str,
    settings: ParallelSettings,
    pending: list[MiniBatch],
) -> None:
    """Record a failed attempt; try the mini-batch again while retries remain."""
    if batch is None:
        return
    logging.warning("mini-batch %d attempt %d failed: %s", batch.index, outcome.attempts[batch.index], error)
    outcome.failed[batch.index] = error
    if outcome.attempts[batch.index] <= settings.max_retries:
        pending.append(batch)


def worker_count(requested: int, reserved_cpus: str | None) -> int:
    """The workers to start: what the job asks (max_concurrency_per_instance x instance_count),
    at most the CPUs the step reserves (``PIPEYARD_CPUS``, whole CPUs, at least one)."""
    if not reserved_cpus:
        return max(1, requested)
    try:
        cpus = max(1, int(float(reserved_cpus)))
    except ValueError:
        return max(1, requested)
    return max(1, min(requested, cpus))


def gather(outcome: Outcome, batches: list[MiniBatch], target: str | None) -> int:
    """Write the results (append_row) in mini-batch order; the number of items without a result."""
    missing = 0
    lines: list[str] = []
    for batch in batches:
        if batch.index in outcome.failed:
            missing += batch.size
            continue
        rows = _rows(outcome.results.get(batch.index))
        missing += max(0, batch.size - len(rows))
        lines.extend(rows)
    if target is not None:
        path = Path(target)
        if path.is_dir() or target.endswith("/"):
            path = path / DEFAULT_RESULT_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{line}\n" for line in lines))
    return missing


def _rows(result: Any) -> list[str]:
    if result is None:
        return []
    if hasattr(result, "itertuples"):  # a pandas DataFrame
        return [" ".join(str(v) for v in row) for row in result.itertuples(index=False)]
    if isinstance(result, (list, tuple)):
        return [str(item) for item in result]
    return [str(result)]


Runner = Callable[[ParallelSettings], tuple[Outcome, list[MiniBatch], str]]  # and where they ran, in words


def run_locally(settings: ParallelSettings) -> tuple[Outcome, list[MiniBatch], str]:
    """run_parallel with no more workers than the step reserves CPUs (``PIPEYARD_CPUS``)."""
    workers = worker_count(settings.workers, os.environ.get(CPUS_VARIABLE))
    if workers < settings.workers:
        logging.info(
            "starting %d worker(s), not %d: the step reserves %s CPU(s) (resources.cpus)",
            workers,
            settings.workers,
            os.environ.get(CPUS_VARIABLE),
        )
        settings = replace(settings, workers=workers)
    outcome, batches = run_parallel(settings)
    return outcome, batches, f"on {settings.workers} worker(s)"


def main(argv: list[str] | None = None, run: Runner | None = None) -> int:
    """0 when the failures stay within the thresholds, 1 otherwise, 2 for bad settings.

    run runs the mini-batches (default: run_locally; ``python -m pipeyard.parallel`` passes
    ``ray_batches.run_where_asked``, which uses the step's Ray cluster when it has one).
    """
    parser = argparse.ArgumentParser(prog="python -m pipeyard.parallel")
    parser.add_argument("--entry-script", required=True)
    parser.add_argument("--input-data", required=True)
    parser.add_argument("--mini-batch-size", default="1")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--mini-batch-error-threshold", type=int, default=0)
    parser.add_argument("--error-threshold", type=int, default=-1)
    parser.add_argument("--max-retries", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--logging-level", default="INFO")
    parser.add_argument("--append-row-to")
    parser.add_argument("program_arguments", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    arguments = (
        tuple(a for a in args.program_arguments if a != "--")
        if args.program_arguments[:1] == ["--"]
        else tuple(args.program_arguments)
    )
    logging.basicConfig(
        level=getattr(logging, args.logging_level, logging.INFO),
        format="%(asctime)s %(levelname)s %(message)s",
    )
    settings = ParallelSettings(
        entry_script=args.entry_script,
        input_data=args.input_data,
        mini_batch_size=args.mini_batch_size,
        workers=args.workers,
        mini_batch_error_threshold=args.mini_batch_error_threshold,
        error_threshold=args.error_threshold,
        max_retries=args.max_retries,
        timeout_s=args.timeout,
        logging_level=args.logging_level,
        append_row_to=args.append_row_to,
        program_arguments=arguments,
    )
    if not os.path.isfile(settings.entry_script):
        print(f"error: entry_script '{settings.entry_script}' not found in {os.getcwd()}", file=sys.stderr)
        return 2
    try:
        outcome, batches, where = (run or run_locally)(settings)
    except BatchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    missing = gather(outcome, batches, settings.append_row_to)
    failed = len(outcome.failed)
    print(
        f"parallel: {len(batches)} mini-batches {where}: "
        f"{len(batches) - failed} succeeded, {failed} failed; {missing} item(s) without a result"
    )
    for index, why in sorted(outcome.failed.items()):
        print(f"  mini-batch {index} failed after {outcome.attempts[index]} attempt(s): {why}")
    over = []
    if settings.mini_batch_error_threshold >= 0 and failed > settings.mini_batch_error_threshold:
        over.append(
            f"{failed} failed mini-batches > mini_batch_error_threshold {settings.mini_batch_error_threshold}"
        )
    if settings.error_threshold >= 0 and missing > settings.error_threshold:
        over.append(f"{missing} failed items > error_threshold {settings.error_threshold}")
    if over:
        print(f"error: {'; '.join(over)}", file=sys.stderr)
        return 1
    return 0
