"""Code keys finer than Azure's code folder: ``python <script> ...`` commands key on the script,
the local modules it imports and the files the command names; anything else keeps the folder."""

from __future__ import annotations

import pytest

from pipeyard.compile.codedeps import CodeDependencies, command_tokens


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("python train.py --data ${{inputs.data}} --lr 0.1", ("train.py", ("0.1",))),
        ("python3 -u train.py --config=conf.yaml", ("train.py", ("conf.yaml",))),
        ("python3.11 sub/run.py a b", ("sub/run.py", ("a", "b"))),
        ("python -m package.train", None),
        ("python train.py && python eval.py", None),
        ("python train.py > log.txt", None),
        ("bash run.sh", None),
        ("python -c 'print(1)'", None),
        ("python train.py $(cat args)", None),
        (
            "python -m pipeyard.parallel --entry-script score.py --workers 2 --input-data ${{inputs.d}} -- --k 1",
            ("score.py", ("2", "1")),
        ),
    ],
)
def test_which_commands_can_be_analysed(command, expected):
    assert command_tokens(command) == expected


def test_the_key_is_the_script_its_imports_and_the_named_files(tmp_path):
    src = tmp_path / "src"
    (src / "helpers").mkdir(parents=True)
    (src / "train.py").write_text("import common\nfrom helpers import io\nimport numpy\n")
    (src / "common.py").write_text("import os\n")
    (src / "helpers" / "__init__.py").write_text("")
    (src / "helpers" / "io.py").write_text("")
    (src / "unrelated.py").write_text("")
    (src / "conf.yaml").write_text("a: 1\n")
    code = CodeDependencies(tmp_path)
    assert code.command_files("python train.py --config conf.yaml --out ${{outputs.o}}", "src") == (
        "src/common.py",
        "src/conf.yaml",
        "src/helpers/__init__.py",
        "src/helpers/io.py",
        "src/train.py",
    )
    assert code.command_files("python missing.py", "src") is None
    assert code.command_files("python ../elsewhere.py", "src") is None
    assert code.command_files("python -m train", "src") is None
