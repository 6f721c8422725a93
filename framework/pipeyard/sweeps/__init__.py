"""Sweeps: `pipeyard run -m train.lr=0.1,0.01 ...` runs one pipeline per point of a grid.

    expand.py       Hydra's sweep grammar -> points (lists of plain overrides)
    sharing.py      steps several points share, and the runs that compute them once
    slots.py        how many points at once, and each one's share of the capacity
    worktrees.py    a git worktree per point, sharing the main DVC cache
    plan.py         everything decided before running: points, loaded pipelines, sharing
    sweep.py        the run: warm-ups, then every point; records and clean-up
    recording.py    a point's run record in the main repository
    experiments.py  each successful point as a DVC experiment (`dvc exp show` lists it)
    table.py        the parameters-against-metrics table

Layer: above session (it runs sessions), below cli.
"""

from .expand import SweepPoint, expand_sweep
from .plan import SweepPlan, plan_sweep
from .sweep import PointFinished, PointResult, SweepResult, SweepStarted, WarmupFinished, run_sweep
from .table import SweepTable, sweep_table

__all__ = [
    "PointFinished",
    "PointResult",
    "SweepPlan",
    "SweepPoint",
    "SweepResult",
    "SweepStarted",
    "SweepTable",
    "WarmupFinished",
    "expand_sweep",
    "plan_sweep",
    "run_sweep",
    "sweep_table",
]
