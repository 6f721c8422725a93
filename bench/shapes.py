"""The benchmark pipelines, written once per tool: Azure ML YAML, a Snakefile and a Makefile.

Every shape is a set of steps `s0 .. s{n-1}`; step `si` has an integer parameter `i` (its
index) and writes one tiny file. In a chain, step `si` also reads the file of `s{i-1}`. Steps
of a sleeping shape sleep first, so that the schedule, not the work, is what is timed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

TOUCH_COMPONENT = """\
type: command
name: touch
inputs:
  i: {type: integer, default: 0}
  source: {type: uri_file, optional: true}
outputs:
  out: {type: uri_file}
command: echo ${{inputs.i}} $[[$(cat ${{inputs.source}})]] > ${{outputs.out}}
"""

NAP_COMPONENT = """\
type: command
name: nap
inputs:
  i: {type: integer, default: 0}
  seconds: {type: number, default: 1}
outputs:
  out: {type: uri_file}
command: sleep ${{inputs.seconds}} && echo ${{inputs.i}} > ${{outputs.out}}
"""


@dataclass(frozen=True)
class Shape:
    """A pipeline shape: how many steps, chained or independent, and how long each sleeps."""

    steps: int
    chained: bool = False
    sleep_s: float = 0.0

    def names(self) -> list[str]:
        """The step names, in order."""
        return [f"s{i}" for i in range(self.steps)]

    def upstream(self, index: int) -> str | None:
        """The step that step `index` reads, if any."""
        return f"s{index - 1}" if self.chained and index > 0 else None


def write_azure_pipeline(root: Path, shape: Shape) -> None:
    """pipeline.yml and its one component, reused by every job."""
    component = "nap" if shape.sleep_s else "touch"
    (root / "components").mkdir(parents=True, exist_ok=True)
    text = NAP_COMPONENT if shape.sleep_s else TOUCH_COMPONENT
    (root / "components" / f"{component}.yml").write_text(text)
    lines = ["type: pipeline", "jobs:"]
    for index, name in enumerate(shape.names()):
        inputs = [f"i: {index}"]
        if shape.sleep_s:
            inputs.append(f"seconds: {shape.sleep_s:g}")
        source = shape.upstream(index)
        if source:
            inputs.append(f"source: ${{{{parent.jobs.{source}.outputs.out}}}}")
        lines += [
            f"  {name}:",
            "    type: command",
            f"    component: ./components/{component}.yml",
            "    inputs:",
            *(f"      {line}" for line in inputs),
        ]
    (root / "pipeline.yml").write_text("\n".join(lines) + "\n")


SNAKEFILE = """\
configfile: "config.yaml"

wildcard_constraints:
    step=r"s\\d+"

rule all:
    input: expand("out/{step}", step=list(config["i"]))

rule step:
    input: lambda wc: config["source"].get(wc.step, [])
    output: "out/{step}"
    params:
        i=lambda wc: config["i"][wc.step],
        seconds=config["seconds"],
    shell: "%s"
"""


def write_snakefile(root: Path, shape: Shape) -> None:
    """An idiomatic Snakefile: one wildcard rule, parameters in config.yaml (tracked)."""
    root.mkdir(parents=True, exist_ok=True)
    echo = "echo {params.i} $(cat {input} /dev/null) > {output}"
    shell = f"sleep {{params.seconds}} && {echo}" if shape.sleep_s else echo
    (root / "Snakefile").write_text(SNAKEFILE % shell)
    config = {
        "seconds": shape.sleep_s,
        "i": {name: index for index, name in enumerate(shape.names())},
        "source": {
            name: f"out/{shape.upstream(index)}"
            for index, name in enumerate(shape.names())
            if shape.upstream(index)
        },
    }
    write_snakemake_config(root, config)


def read_snakemake_config(root: Path) -> dict:
    """The Snakemake project's config.yaml."""
    return yaml.safe_load((root / "config.yaml").read_text())


def write_snakemake_config(root: Path, config: dict) -> None:
    """Replace the Snakemake project's config.yaml."""
    (root / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def write_makefile(root: Path, shape: Shape) -> None:
    """A Makefile with one explicit target per step: the floor for independent steps."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["all: " + " ".join(f"out/{name}" for name in shape.names()), ""]
    for index, name in enumerate(shape.names()):
        source = shape.upstream(index)
        prefix = f"sleep {shape.sleep_s:g} && " if shape.sleep_s else ""
        read = f" $$(cat out/{source})" if source else ""
        lines += [
            f"out/{name}:{' out/' + source if source else ''}",
            f"\t@mkdir -p out && {prefix}echo {index}{read} > $@",
            "",
        ]
    (root / "Makefile").write_text("\n".join(lines))
