"""{{ cookiecutter.project_name }}: make numbers, then summarize them."""
