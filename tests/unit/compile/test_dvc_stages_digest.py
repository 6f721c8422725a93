"""read_dvc_stages skips parsing a dvc.yaml that pipeyard wrote with generated stages only."""

from __future__ import annotations

from pipeyard.compile.dvc_stages import GENERATED_ONLY_DIGEST, read_dvc_stages, remember_generated_only

GENERATED = "stages:\n  a:\n    cmd: echo a\n    meta: pipeyard\n"
OWN = "  mine:\n    cmd: echo mine\n"


def test_a_generated_only_dvc_yaml_is_remembered_by_digest_when_written(tmp_path):
    (tmp_path / ".pipeyard" / "state").mkdir(parents=True)
    (tmp_path / "dvc.yaml").write_text(GENERATED)
    assert read_dvc_stages(tmp_path) == {}
    assert not (tmp_path / GENERATED_ONLY_DIGEST).exists()  # reading writes nothing
    remember_generated_only(tmp_path)
    assert (tmp_path / GENERATED_ONLY_DIGEST).is_file()
    assert read_dvc_stages(tmp_path) == {}


def test_a_stage_added_by_hand_is_read_although_a_digest_is_kept(tmp_path):
    (tmp_path / ".pipeyard" / "state").mkdir(parents=True)
    (tmp_path / "dvc.yaml").write_text(GENERATED)
    remember_generated_only(tmp_path)
    (tmp_path / "dvc.yaml").write_text(GENERATED + OWN)
    assert read_dvc_stages(tmp_path) == {"mine": {"cmd": "echo mine"}}


def test_no_digest_is_written_without_pipeyard_state(tmp_path):
    (tmp_path / "dvc.yaml").write_text(GENERATED)
    remember_generated_only(tmp_path)
    assert not (tmp_path / ".pipeyard").exists()
