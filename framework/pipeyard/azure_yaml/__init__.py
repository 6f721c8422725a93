"""Azure ML CLI v2 YAML -> the pipeline model (see docs/azure.md).

Read: pipeline jobs, command jobs and components, pipeline components nested to any depth
(nesting: jobs named ``<job>__<inner>``), sweep jobs (sweep: one step per trial plus the step
that picks the best), parallel jobs and components (parallel: a step that runs
``python -m pipeyard.parallel``). pipeyard extensions: ``dvc: metrics | plots`` on an output;
``retries`` and ``timeout`` ('10m' or seconds; Azure's ``limits.timeout`` too) on components
and jobs; ``cpus`` / ``memory`` / ``gpus`` under ``resources``. Registered components
(``azureml:train:1``, ``registry:team/train:1``) are found by a resolver the caller passes
down. What needs a cloud asset raises one UnsupportedError naming every asset (assets);
Azure's value coercions and lenient keys give notes on the Pipeline (coercion, yamlfile).
"""

from .component import load_component_yaml
from .jobs import REGISTERED_PREFIXES, ComponentResolver
from .pipeline import load_pipeline_yaml

__all__ = ["REGISTERED_PREFIXES", "ComponentResolver", "load_component_yaml", "load_pipeline_yaml"]
