"""Test helpers shipped with pipeyard, for pipeyard's own tests and for plugins (like dvc.testing)."""
