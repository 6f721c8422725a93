"""The names of a project's files, folders and reserved keys that several layers use.

Config reads and writes params.yaml, the cache records its values in dvc.lock, the compiler
keys environments under ``pipeyard.environments``: each name is written once, here, below them all.
"""

from __future__ import annotations

PARAMS_FILE = "params.yaml"
RESERVED_KEY = "pipeyard"  # params.yaml's section the compiler writes, never the user
ENVIRONMENTS_KEY = "environments"  # params.yaml: pipeyard.environments.<step> = its environment
DISTRIBUTIONS_KEY = "distributions"  # params.yaml: pipeyard.distributions.<step> = its distribution
ENVIRONMENT_PARAMS_PREFIX = f"{RESERVED_KEY}.{ENVIRONMENTS_KEY}."

PROJECT_CONFIG_FILES = ("pipeyard.yaml", "pipeyard.yml")  # the first one found is read
DEFAULT_CONF_DIR = "conf"
DEFAULT_OUTPUT_ROOT = "outputs"

# Files that pin a project's Python environment, in the order the compiler looks for one.
ENVIRONMENT_FILES = (
    "uv.lock",
    "poetry.lock",
    "requirements.lock",
    "requirements.txt",
    "environment.yml",
    "conda.yaml",
)
