"""{{ cookiecutter.project_name }}: a small PyTorch image classifier for 8x8 handwritten digits."""
