"""Run history kept in git, diffs between revisions, pull-request reports, and past versions.

    notes.py         run records stored as git notes under refs/notes/pipeyard (written per run)
    runs.py          every known run: git notes and local records, by commit and by run id
    log.py           commits with their runs, for `pipeyard log`
    snapshot.py      what one revision (or the workspace) holds: locks, params, metrics, plots
    diff.py          two snapshots compared: parameters, metrics, steps that re-run and why
    markdown.py      a diff as plain text or GitHub markdown, and the tables reports share
    charts.py        plot data rendered as mermaid xychart blocks GitHub draws
    report.py        a markdown / JSON report for a pull request
    reproduce.py     a past revision in a temporary git worktree sharing the DVC cache
    shared_cache.py  a worktree's DVC set-up pointing at the main repository's cache

git itself is run through pipeyard.vcs.git. Nothing is re-exported here: `pipeyard run`
imports `history.notes` on every run, and that import must stay as cheap as the module itself.
"""
