"""Run one step as the cooperating processes of a distributed job (Azure's `distribution:`).

    python -m pipeyard.launch pytorch|tensorflow|mpi PER_INSTANCE INSTANCES -- COMMAND

The runner starts a distributed step through this module (see `Stage.shell_command`). It
starts PER_INSTANCE x INSTANCES copies of COMMAND (a shell command) and gives each the
variables its framework expects:

- pytorch: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE,
  NODE_RANK, GROUP_RANK (what `torch.distributed.init_process_group("env://")` reads);
- tensorflow: TF_CONFIG, one worker per process (`{"cluster": {"worker": [...]}, "task": ...}`);
- mpi: the processes are started by `mpirun -np WORLD` (Open MPI or MPICH must be installed;
  without one, one line says so and the step fails with exit code 2).

All instances run on this machine unless PIPEYARD_NODE_RANK is set: then only that instance's
processes start here, joining MASTER_ADDR / MASTER_PORT from the environment, and TensorFlow's
workers are PIPEYARD_WORKERS (a JSON list of "host:port", one per rank): how an executor
spreads instances over nodes. Each line of output carries its rank. When one process fails,
the others are stopped and the step fails with the first failing exit code. Only the standard
library is imported, so this runs in any environment pipeyard is linked into.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

USAGE = "usage: python -m pipeyard.launch pytorch|tensorflow|mpi PER_INSTANCE INSTANCES -- COMMAND"
_GRACE_S = 5.0


def free_port() -> int:
    """A TCP port that is free on this machine now."""
    with socket.socket() as probe:
        probe.bind(("", 0))
        return probe.getsockname()[1]


def rank_variables(
    kind: str,
    per_instance: int,
    instances: int,
    node_rank: int,
    local_rank: int,
    master: tuple[str, int],
    workers: list[str],
) -> dict[str, str]:
    """The variables of one process of a distributed step (workers: TensorFlow's "host:port")."""
    rank = node_rank * per_instance + local_rank
    world = per_instance * instances
    if kind == "tensorflow":
        return {
            "TF_CONFIG": json.dumps(
                {"cluster": {"worker": workers}, "task": {"type": "worker", "index": rank}}
            )
        }
    return {
        "MASTER_ADDR": master[0],
        "MASTER_PORT": str(master[1]),
        "WORLD_SIZE": str(world),
        "RANK": str(rank),
        "LOCAL_RANK": str(local_rank),
        "LOCAL_WORLD_SIZE": str(per_instance),
        "NODE_RANK": str(node_rank),
        "GROUP_RANK": str(node_rank),
    }


def _forward(stream, rank: int) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.buffer.write(f"[rank {rank}] ".encode() + line)
        sys.stdout.buffer.flush()


def _signal(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)  # each rank leads its own group: its children go too
    except OSError:
        pass


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        _signal(process, signal.SIGTERM)
    deadline = time.monotonic() + _GRACE_S
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        _signal(process, signal.SIGKILL)
        process.wait()


def _die_with_launcher():
    """A preexec function: the rank gets SIGKILL when the launcher dies (Linux; None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes
    import ctypes.util

    try:
        prctl = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def run(kind: str, per_instance: int, instances: int, command: str) -> int:
    """Start the ranks of this machine, wait for them all; the step's exit code."""
    if kind == "mpi":
        mpirun = shutil.which("mpirun")
        if mpirun is None:
            print(
                "pipeyard: distribution type mpi needs mpirun (Open MPI or MPICH), which is not on PATH",
                file=sys.stderr,
            )
            return 2
        return subprocess.call([mpirun, "-np", str(per_instance * instances), "/bin/sh", "-c", command])
    here = os.environ.get("PIPEYARD_NODE_RANK")
    node_ranks = [int(here)] if here is not None else list(range(instances))
    master = (os.environ.get("MASTER_ADDR", "127.0.0.1"), int(os.environ.get("MASTER_PORT") or free_port()))
    workers = (
        json.loads(os.environ["PIPEYARD_WORKERS"])
        if "PIPEYARD_WORKERS" in os.environ
        else [f"{master[0]}:{free_port()}" for _ in range(per_instance * instances)]
    )
    processes: list[subprocess.Popen] = []
    readers = []
    die_with_launcher = _die_with_launcher()
    for node_rank in node_ranks:
        for local_rank in range(per_instance):
            env = {
                **os.environ,
                **rank_variables(kind, per_instance, instances, node_rank, local_rank, master, workers),
            }
            process = subprocess.Popen(
                ["/bin/sh", "-c", command],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                process_group=0,
                preexec_fn=die_with_launcher,
            )  # noqa: PLW1509 - resolved before fork
            processes.append(process)
            reader = threading.Thread(
                target=_forward, args=(process.stdout, node_rank * per_instance + local_rank), daemon=True
            )
            reader.start()
            readers.append(reader)
    signal.signal(signal.SIGTERM, lambda *_: _stop(processes))
    failed = 0
    while [p.poll() for p in processes].count(None):  # poll every rank, not just the first
        codes = [p.returncode for p in processes if p.returncode not in (None, 0)]
        if codes:
            failed = codes[0]
            _stop(processes)
            break
        time.sleep(0.05)
    for reader in readers:
        reader.join(timeout=5)
    code = failed or next((p.returncode for p in processes if p.returncode), 0)
    return 128 - code if code < 0 else code  # a signal, as a shell reports it


def main(argv: list[str]) -> int:
    """Parse `TYPE PER_INSTANCE INSTANCES -- COMMAND` and run it; 2 with one line on bad input."""
    try:
        separator = argv.index("--")
        kind, per_instance, instances = argv[:separator]
        command = " ".join(argv[separator + 1 :])
        if kind not in ("pytorch", "tensorflow", "mpi") or not command:
            raise ValueError
        return run(kind, int(per_instance), int(instances), command)
    except ValueError:
        print(USAGE, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
