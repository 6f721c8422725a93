"""Large data: pipeyard against dvc repro / dvc checkout on a pipeline that makes ~2 GB.

The pipeline's first step (`generate`) writes `--gb` gigabytes in `--files` files (folders of
100); two steps read them (`stats` reads every byte, `sample` the first file of each folder).
For each cache type, a fresh copy of one template project per tool is timed, the two tools
taking turns phase by phase (so both meet the same load on a shared machine):

* first run (`pipeyard run` / `dvc repro`), and the tool's own share of it: the run less the
  time covered by the step commands, which log their start and end (hashing, caching,
  start-up and bookkeeping stay in that share);
* no-op run (median of 5), and the no-op on the same pipeline with tiny files (same file
  count);
* branch switch and back: a branch `other` with another seed is run and committed (untimed),
  then `git checkout main` (untimed) and the restore is timed (`pipeyard run`, which restores
  every step, / `dvc checkout`), then the same back to `other`;
* every timed command starts after `os.sync()`, so the writeback of gigabytes written by an
  earlier phase does not stall a later one (its fsyncs wait for the journal otherwise);
* disk used by the project (workspace + cache, `du -sk`, which counts a hardlinked file once),
  and whether the workspace files are the cache objects (same inode or a symlink to them).

Ratios are peer time / pipeyard time (above 1: pipeyard is faster). Nothing is asserted; the
targets table says which targets are met. Run with the project venv's Python:

    .venv/bin/python bench/large_data.py                # 2 GB in 2,000 files
    .venv/bin/python bench/large_data.py --quick        # 0.05 GB in 200 files (smoke run)
    .venv/bin/python bench/large_data.py --gb 0.5 --files 1000 --types reflink,copy,hardlink,symlink

It needs about (4 + 2 x types) x --gb of free disk while it runs and removes its projects after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tools import PROJECT_BIN, BenchFailure, Timing, timed, untimed  # noqa: E402

BENCH = Path(__file__).resolve().parent
PIPEYARD = [sys.executable, "-m", "pipeyard"]
DVC = str(PROJECT_BIN / "dvc")
DEFAULT_TYPE = "reflink,copy"  # DVC's default
NOOP_REPEATS = 5  # no-op runs are short: the median of 5 rides out a shared machine's noise

STEP_LOG = "LARGE_DATA_STEP_LOG"  # where step commands append their start and end times
LOG_TIMES = """\
import atexit, os, time
def _log_times(start=time.time(), log=os.environ.get("LARGE_DATA_STEP_LOG")):
    if log:
        with open(log, "a") as handle:
            handle.write(f"{start} {time.time()}\\n")
atexit.register(_log_times)
"""

GENERATE_PY = (
    LOG_TIMES
    + """\
import argparse, os, random
p = argparse.ArgumentParser()
p.add_argument("--out"); p.add_argument("--gb", type=float); p.add_argument("--files", type=int)
p.add_argument("--seed", type=int)
a = p.parse_args()
size = max(16, int(a.gb * 2**30 / a.files))
block = bytearray(random.Random(a.seed).randbytes(size))
for i in range(a.files):
    folder = os.path.join(a.out, f"part{i // 100:03d}")
    os.makedirs(folder, exist_ok=True)
    block[:16] = f"{a.seed:07d}:{i:08d}".encode()  # every file is different
    with open(os.path.join(folder, f"f{i:05d}.bin"), "wb") as handle:
        handle.write(block)
"""
)

STATS_PY = (
    LOG_TIMES
    + """\
import argparse, json, os, zlib
p = argparse.ArgumentParser()
p.add_argument("--data"); p.add_argument("--out"); p.add_argument("--first", action="store_true")
a = p.parse_args()
total = files = crc = 0
for top, dirs, names in sorted(os.walk(a.data)):
    for name in sorted(names)[: 1 if a.first else None]:
        with open(os.path.join(top, name), "rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
                crc = zlib.crc32(chunk, crc)
        files += 1
with open(a.out, "w") as handle:
    json.dump({"files": files, "bytes": total, "crc32": crc}, handle)
"""
)

COMPONENTS = {
    "generate": """\
type: command
name: generate
inputs:
  gb: {type: number, default: 1}
  files: {type: integer, default: 100}
  seed: {type: integer, default: 1}
outputs:
  data: {type: uri_folder}
code: ./src
command: python generate.py --out ${{outputs.data}} --gb ${{inputs.gb}} --files ${{inputs.files}} --seed ${{inputs.seed}}
""",
    "stats": """\
type: command
name: stats
inputs:
  data: {type: uri_folder}
  first: {type: boolean, default: false}
outputs:
  summary: {type: uri_file}
code: ./src
command: python stats.py --data ${{inputs.data}} --out ${{outputs.summary}} $[[--first]]
""",
}


def pipeline_text(gb: float, files: int) -> str:
    """pipeline.yml: generate, then stats (every byte) and sample (first file per folder)."""
    return f"""\
type: pipeline
jobs:
  generate:
    type: command
    component: ./components/generate.yml
    inputs: {{gb: {gb}, files: {files}, seed: 1}}
  stats:
    type: command
    component: ./components/stats.yml
    inputs:
      data: ${{{{parent.jobs.generate.outputs.data}}}}
  sample:
    type: command
    component: ./components/sample.yml
    inputs:
      data: ${{{{parent.jobs.generate.outputs.data}}}}
"""


def make_template(root: Path, gb: float, files: int, cache_type: str, for_dvc: bool) -> None:
    """git init, pipeyard init, the pipeline and its scripts, cache.type; one commit."""
    root.mkdir(parents=True)
    untimed(["git", "init", "-q", "-b", "main"], root)
    untimed([*PIPEYARD, "init"], root)
    (root / "components" / "src").mkdir(parents=True)
    (root / "components" / "src" / "generate.py").write_text(GENERATE_PY)
    (root / "components" / "src" / "stats.py").write_text(STATS_PY)
    (root / "components" / "generate.yml").write_text(COMPONENTS["generate"])
    (root / "components" / "stats.yml").write_text(COMPONENTS["stats"])
    sample = (
        COMPONENTS["stats"].replace("name: stats", "name: sample").replace("default: false", "default: true")
    )
    (root / "components" / "sample.yml").write_text(sample)
    (root / "pipeline.yml").write_text(pipeline_text(gb, files))
    if cache_type != DEFAULT_TYPE:
        untimed([DVC, "config", "cache.type", cache_type], root)
    if for_dvc:
        untimed([*PIPEYARD, "compile"], root)
    untimed(["git", "add", "-A"], root)
    untimed(["git", "commit", "-q", "-m", "large-data pipeline"], root)


CHECKOUT_TIMER = """\
import sys, time
from pathlib import Path
from pipeyard.cache.links import read_cache_settings
from pipeyard.cache.objects import ObjectCache
from pipeyard.cache.workspace import default_workers
root, md5 = Path(sys.argv[1]), sys.argv[2]
settings = read_cache_settings(root)
cache = ObjectCache(settings.folder, settings.link_types, file_mode=settings.file_mode, workers=default_workers())
start = time.perf_counter()
cache.checkout(md5, root / "restore-probe")
print(time.perf_counter() - start)
"""


def checkout_alone(root: Path) -> float:
    """Seconds pipeyard's object cache takes to check the generated folder out once more (in
    a fresh Python process, timing only the checkout call), by the project's cache.type."""
    lock = json.loads(
        untimed(
            [
                sys.executable,
                "-c",
                "import json,sys,yaml; print(json.dumps(yaml.safe_load(open('dvc.lock'))))",
            ],
            root,
        )
    )
    md5 = lock["stages"]["generate"]["outs"][0]["md5"]
    os.sync()
    seconds = float(untimed([sys.executable, "-c", CHECKOUT_TIMER, str(root), md5], root).strip())
    shutil.rmtree(root / "restore-probe")
    return seconds


def settled_timed(command: list[str], cwd: Path) -> Timing:
    """timed(), after os.sync(): the dirty pages of earlier phases (gigabytes) are written
    first, so their writeback does not stall this command's fsyncs and count as its time."""
    os.sync()
    return timed(command, cwd)


def pipeyard_run(root: Path, *args: str) -> tuple[Timing, dict[str, str]]:
    """`pipeyard run --json`, checked to succeed; its timing (with the duration the run
    reported itself, without start-up, in extra["own_s"]) and {step: status}."""
    timing = settled_timed([*PIPEYARD, "run", "--json", *args], root)
    result = json.loads(timing.stdout)
    if result.get("status") != "succeeded":
        raise BenchFailure(f"pipeyard run: {result.get('status')}")
    timing.extra["own_s"] = result.get("duration_s")
    return timing, {name: step["status"] for name, step in result["steps"].items()}


def _expect(result: dict, wanted: str, what: str) -> None:
    statuses = {name: step["status"] for name, step in result["steps"].items()}
    if set(statuses.values()) != {wanted}:
        raise BenchFailure(f"pipeyard {what}: expected every step {wanted}, got {statuses}")


def dvc_ran(timing: Timing) -> int:
    """How many stages a dvc repro ran."""
    return sum(1 for line in timing.stdout.splitlines() if line.startswith("Running stage"))


def disk_kib(root: Path) -> int:
    """KiB the project holds, workspace and cache (du counts a hardlinked file once)."""
    return int(
        subprocess.run(["du", "-sk", str(root)], capture_output=True, text=True, check=True).stdout.split()[0]
    )


def linked_share(root: Path) -> float:
    """The share of the generated files that are cache objects (hardlink or symlink)."""
    data = next((root / "outputs" / "generate").rglob("*.bin"), None)
    if data is None:
        return 0.0
    files = list((root / "outputs" / "generate").rglob("*.bin"))
    linked = sum(1 for f in files if f.is_symlink() or os.stat(f).st_nlink > 1)
    return linked / len(files)


def first_run_overhead(wall_s: float, log: Path) -> float:
    """wall_s less the time covered by step commands (the union of their start-end spans in
    log): what the tool itself spent, hashing and caching included."""
    spans = sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines() if line)
    covered, end = 0.0, float("-inf")
    for start, stop in spans:
        covered += max(0.0, stop - max(start, end))
        end = max(end, stop)
    log.unlink()
    return wall_s - covered


def _first_run(root: Path, command: list[str]) -> tuple[Timing, float]:
    """Time a first run with the step commands logging their spans; (timing, overhead)."""
    log = root.parent / f"{root.name}.steps"
    os.environ[STEP_LOG] = str(log)
    try:
        timing = settled_timed(command, root)
    finally:
        del os.environ[STEP_LOG]
    return timing, first_run_overhead(timing.seconds, log)


Phases = Iterator[tuple[str, float]]


def pipeyard_phases(root: Path, tiny: bool = False) -> Phases:
    """pipeyard on a fresh template copy: first run, no-op, switch and back (one per yield)."""
    timing, overhead = _first_run(root, [*PIPEYARD, "run", "--json"])
    _expect(json.loads(timing.stdout), "ran", "first run")
    yield "first_run", timing.seconds
    yield "first_run_overhead", overhead
    times = []
    for _ in range(NOOP_REPEATS):
        timing, statuses = pipeyard_run(root)
        _expect({"steps": {n: {"status": v} for n, v in statuses.items()}}, "cached", "no-op run")
        times.append(timing.seconds)
    yield "noop", statistics.median(times)
    if tiny:
        return
    yield "disk_kib", disk_kib(root)
    yield "linked_share", linked_share(root)
    yield "checkout_alone", checkout_alone(root)
    untimed(["git", "add", "-A"], root)
    untimed(["git", "commit", "-q", "-m", "main results"], root)
    untimed(["git", "checkout", "-q", "-b", "other"], root)
    pipeyard_run(root, "generate.seed=2")
    untimed(["git", "add", "-A"], root)
    untimed(["git", "commit", "-q", "-m", "other results"], root)
    for phase, branch in (("switch", "main"), ("switch_back", "other")):
        untimed(["git", "checkout", "-q", branch], root)
        timing, statuses = pipeyard_run(root)
        if statuses["generate"] != "restored" or "ran" in statuses.values():
            raise BenchFailure(
                f"pipeyard {phase}: expected generate restored and nothing run, got {statuses}"
            )
        yield phase, timing.seconds
        yield f"{phase}_own", timing.extra["own_s"]
    yield "disk_kib_two_branches", disk_kib(root)


def dvc_phases(root: Path, tiny: bool = False) -> Phases:
    """dvc on a fresh template copy: repro, no-op repro, checkout after a switch and back."""
    timing, overhead = _first_run(root, [DVC, "repro"])
    if dvc_ran(timing) != 3:
        raise BenchFailure(f"dvc repro ran {dvc_ran(timing)} of 3 stages")
    yield "first_run", timing.seconds
    yield "first_run_overhead", overhead
    times = []
    for _ in range(NOOP_REPEATS):
        timing = settled_timed([DVC, "repro"], root)
        if dvc_ran(timing) != 0:
            raise BenchFailure(f"dvc repro no-op ran {dvc_ran(timing)} stages")
        times.append(timing.seconds)
    yield "noop", statistics.median(times)
    if tiny:
        return
    yield "disk_kib", disk_kib(root)
    yield "linked_share", linked_share(root)
    untimed(["git", "add", "-A"], root)
    untimed(["git", "commit", "-q", "-m", "main results"], root)
    untimed(["git", "checkout", "-q", "-b", "other"], root)
    untimed([*PIPEYARD, "compile", "generate.seed=2"], root)  # the user's edit of params.yaml
    if dvc_ran(timed([DVC, "repro"], root)) != 3:
        raise BenchFailure("dvc repro on branch other did not run every stage")
    untimed(["git", "add", "-A"], root)
    untimed(["git", "commit", "-q", "-m", "other results"], root)
    for phase, branch in (("switch", "main"), ("switch_back", "other")):
        untimed(["git", "checkout", "-q", branch], root)
        yield phase, settled_timed([DVC, "checkout"], root).seconds
        status = untimed([DVC, "status"], root)
        if "up to date" not in status:
            raise BenchFailure(f"dvc status after checkout of {branch}: {status[:200]}")
    yield "disk_kib_two_branches", disk_kib(root)


def lockstep(phases: dict[str, Phases]) -> dict[str, dict]:
    """Advance each tool's phases in turn (pipeyard's first run, dvc's first run, pipeyard's
    no-op, ...), so both meet the same load; {tool: {phase: value}}, errors kept as "error"."""
    results: dict[str, dict] = {tool: {} for tool in phases}
    running = dict(phases)
    while running:
        for tool, steps in list(running.items()):
            try:
                phase, value = next(steps)
                results[tool][phase] = value
            except StopIteration:
                del running[tool]
            except BenchFailure as failure:
                results[tool]["error"] = str(failure)[:500]
                del running[tool]
    return results


def run(args: argparse.Namespace) -> dict:
    """Every measurement, as a JSON-ready dict."""
    work = args.work
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    types = [t.strip() for t in args.types.split(";")]
    result: dict = {"gb": args.gb, "files": args.files, "types": {}, "started": _now()}
    result["load_average_at_start"] = os.getloadavg()
    tiny_gb = 16 * args.files / 2**30
    for label, gb, kinds in (("tiny", tiny_gb, [DEFAULT_TYPE]), ("types", args.gb, types)):
        for cache_type in kinds:
            roots = {tool: work / f"{cache_type.replace(',', '+')}-{tool}" for tool in ("pipeyard", "dvc")}
            for tool, root in roots.items():
                make_template(root, gb, args.files, cache_type, for_dvc=tool == "dvc")
            print(f"{label}: cache.type {cache_type}", flush=True)
            measured = lockstep(
                {
                    "pipeyard": pipeyard_phases(roots["pipeyard"], tiny=label == "tiny"),
                    "dvc": dvc_phases(roots["dvc"], tiny=label == "tiny"),
                }
            )
            if label == "tiny":
                result["tiny"] = measured
            else:
                result["types"][cache_type] = measured
            for root in roots.values():
                shutil.rmtree(root)
    result["load_average_at_end"] = os.getloadavg()
    shutil.rmtree(work)
    return result


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def _x(peer: float | None, base: float | None) -> str:
    return "—" if not peer or not base else f"{peer / base:.1f}×"


def markdown(result: dict) -> str:
    """The tables of bench/README.md's large-data section."""
    lines = [
        f"{result['gb']:g} GB in {result['files']:,} files; "
        f"load average {result['load_average_at_start'][0]:.1f} at the start, "
        f"{result['load_average_at_end'][0]:.1f} at the end.",
        "",
        "| cache.type | phase | pipeyard | dvc | dvc ÷ pipeyard |",
        "|---|---|---|---|---|",
    ]
    for cache_type, tools in result["types"].items():
        ours, theirs = tools.get("pipeyard", {}), tools.get("dvc", {})
        rows = [
            ("first run", ours.get("first_run"), theirs.get("first_run")),
            (
                "first run less its step commands (the tool's own work)",
                ours.get("first_run_overhead"),
                theirs.get("first_run_overhead"),
            ),
            ("no-op run", ours.get("noop"), theirs.get("noop")),
            ("switch to main (restore)", ours.get("switch"), theirs.get("switch")),
            ("switch back (restore)", ours.get("switch_back"), theirs.get("switch_back")),
            ("switch to main, pipeyard's own run time (no start-up)", ours.get("switch_own"), None),
            ("checkout of the generated folder alone (in-process)", ours.get("checkout_alone"), None),
        ]
        for phase, mine, peer in rows:
            lines.append(f"| {cache_type} | {phase} | {_s(mine)} | {_s(peer)} | {_x(peer, mine)} |")
        for key, label in (
            ("disk_kib", "disk after first run"),
            ("disk_kib_two_branches", "disk with both branches"),
        ):
            mine, peer = ours.get(key), theirs.get(key)
            lines.append(f"| {cache_type} | {label} | {_gib(mine)} | {_gib(peer)} | — |")
        lines.append(
            f"| {cache_type} | generated files that are cache links | "
            f"{ours.get('linked_share', 0):.0%} | {theirs.get('linked_share', 0):.0%} | — |"
        )
        for tool, measured in tools.items():
            if "error" in measured:
                lines.append(f"| {cache_type} | error ({tool}) | {measured['error'][:120]} | | |")
    tiny = result.get("tiny", {})
    lines += ["", "| tiny files (16 B each) | pipeyard | dvc |", "|---|---|---|"]
    lines.append(
        f"| no-op run | {_s(tiny.get('pipeyard', {}).get('noop'))} | {_s(tiny.get('dvc', {}).get('noop'))} |"
    )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in targets(result):
        lines.append(f"| {target} | {measured} | {met} |")
    return "\n".join(lines) + "\n"


def _gib(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / 2**20:.2f} GiB"


def targets(result: dict) -> list[tuple[str, str, str]]:
    """(target, measured, met) for the issue's large-data targets."""
    rows = []
    default = result["types"].get(DEFAULT_TYPE, next(iter(result["types"].values()), {}))
    ours, theirs = default.get("pipeyard", {}), default.get("dvc", {})
    if ours.get("first_run_overhead") and theirs.get("first_run_overhead"):
        ratio = theirs["first_run_overhead"] / ours["first_run_overhead"]
        rows.append(
            ("first run's hashing and caching ≥ 1.5× faster than dvc's", f"{ratio:.1f}×", _met(ratio >= 1.5))
        )
    tiny = result.get("tiny", {}).get("pipeyard", {}).get("noop")
    if ours.get("noop") and tiny:
        gap = ours["noop"] - tiny
        rows.append(("no-op within 0.2 s of the tiny-file no-op", f"{gap:+.2f} s", _met(gap <= 0.2)))
    copied = (result["types"].get(DEFAULT_TYPE) or {}).get("pipeyard", {})
    for linked in ("hardlink", "reflink", "symlink"):
        mine = (result["types"].get(linked) or {}).get("pipeyard", {})
        for key, how in (
            ("switch", "wall clock"),
            ("switch_own", "run's own time"),
            ("checkout_alone", "the checkout alone"),
        ):
            if mine.get(key) and copied.get(key):
                ratio = copied[key] / mine[key]
                rows.append(
                    (
                        f"switch with {linked} ≥ 20× faster than with copy ({how})",
                        f"{ratio:.1f}×",
                        _met(ratio >= 20),
                    )
                )
        disk = (result["types"].get(linked) or {}).get("pipeyard", {}).get("disk_kib")
        if disk:
            data_kib = result["gb"] * 2**20
            rows.append(
                (
                    f"no second copy on disk with {linked}",
                    f"{disk / data_kib:.2f}× the data",
                    _met(disk < 1.5 * data_kib),
                )
            )
    return rows


def _met(ok: bool) -> str:
    return "yes" if ok else "no"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, write results and print the markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gb", type=float, default=2.0, help="gigabytes the first step writes (2)")
    parser.add_argument("--files", type=int, default=2000, help="files it writes them in (2000)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 0.05 GB in 200 files")
    parser.add_argument(
        "--types",
        default=f"{DEFAULT_TYPE};hardlink",
        help="cache.type values to time, separated by ';' (default: 'reflink,copy;hardlink')",
    )
    parser.add_argument("--work", type=Path, default=BENCH / "work" / "large-data", help="scratch folder")
    parser.add_argument("--results", type=Path, default=BENCH / "results", help="results folder")
    args = parser.parse_args(argv)
    if args.quick:
        args.gb, args.files = 0.05, 200
    result = run(args)
    text = markdown(result)
    args.results.mkdir(parents=True, exist_ok=True)
    stem = args.results / f"large-data-{datetime.now(timezone.utc):%Y-%m-%d-%H%M}"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2))
    stem.with_suffix(".md").write_text(text)
    print(text)
    print(f"wrote {stem}.json and .md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
