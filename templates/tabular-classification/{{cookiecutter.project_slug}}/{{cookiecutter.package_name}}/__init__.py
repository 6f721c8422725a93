"""{{ cookiecutter.project_name }}: a tabular classifier, from a bundled dataset to a registered model."""
