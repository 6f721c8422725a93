"""Azure ML CLI v2 YAML (pipeline jobs, command jobs, command components) -> the pipeline model.

pipeyard extensions: ``dvc: metrics | plots`` on an output; ``retries`` and ``timeout``
('10m' or seconds; Azure's ``limits.timeout`` too) on components and jobs; ``cpus`` /
``memory`` / ``gpus`` under ``resources``. Registered components (``azureml:train:1``,
``registry:team/train:1``) are found by a resolver the caller passes down. Not runnable
locally (UnsupportedError): ``azureml:`` data assets, remote URLs, sweep / parallel / spark jobs.
"""

from .component import load_component_yaml
from .jobs import REGISTERED_PREFIXES, ComponentResolver
from .pipeline import load_pipeline_yaml

__all__ = ["REGISTERED_PREFIXES", "ComponentResolver", "load_component_yaml", "load_pipeline_yaml"]
