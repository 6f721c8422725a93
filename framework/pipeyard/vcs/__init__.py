"""The doors to the outside version-control tools: `git.py` runs git, `dvc.py` runs the DVC CLI.

Nothing else in pipeyard starts either (import-linter and tests/unit/vcs/test_one_door.py keep
it so).
"""
