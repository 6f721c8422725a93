"""Version the packaged model with a git tag in GTO's form, `<model name>@v<version>`.

    python -m {{ cookiecutter.package_name }}.register          # says what it would tag
    python -m {{ cookiecutter.package_name }}.register --tag    # creates the tag at HEAD

Run it after `pipeyard run` and a commit: the `register` step wrote the package (model,
model card, model.json with the name and version), and the commit's dvc.lock records exactly
that package, so the tag points at a commit that can bring the model back (`dvc checkout`).
`gto show` lists the registered versions; `git push --tags` publishes them.
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

PACKAGE_DIR = "package"
RECORDS = ("dvc.lock", "dvc.yaml", "params.yaml")


class NotReady(Exception):
    """The repository is not in a state the model can be tagged from; the message says why."""


def planned_tag(root: Path, package: str = PACKAGE_DIR) -> dict:
    """The package's model.json (name, version, tag, metrics, ...) under root/package."""
    info_file = root / package / "model.json"
    if not info_file.is_file():
        raise NotReady(f"{info_file} does not exist; run `pipeyard run` first")
    return json.loads(info_file.read_text())


def check_committed(root: Path) -> str:
    """The HEAD commit, when dvc.lock, dvc.yaml and params.yaml are committed and unchanged."""
    head = _git(root, "rev-parse", "--verify", "HEAD")
    changed = _git(root, "status", "--porcelain", "--", *RECORDS)
    if changed:
        raise NotReady(f"uncommitted changes to the pipeline's records:\n{changed}\ncommit them first")
    return head


def tag(root: Path, package: str = PACKAGE_DIR, message: str | None = None) -> str:
    """Create the annotated tag `<name>@v<version>` at HEAD with GTO; return the tag."""
    from gto import api

    info = planned_tag(root, package)
    check_committed(root)
    existing = _git(root, "tag", "--list", info["tag"])
    if existing:
        raise NotReady(f"tag {info['tag']} already exists; raise register.version in conf/register/")
    metrics = ", ".join(f"{k}={v}" for k, v in info.get("metrics", {}).items())
    api.register(
        str(root), info["name"], "HEAD", version=f"v{info['version']}",
        message=message or f"{info['name']} v{info['version']}: {metrics}",
    )
    return info["tag"]


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise NotReady(f"`git {' '.join(args)}` failed: {result.stderr.strip()}")
    return result.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    """Show (or with --tag, create) the tag of the packaged model; 0 on success, 1 otherwise."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {__package__}.register", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--tag", action="store_true", help="create the tag (default: say what it would be)")
    parser.add_argument("--root", type=Path, default=Path("."), help="the project root (default: .)")
    parser.add_argument("--package", default=PACKAGE_DIR, help=f"the package folder (default: {PACKAGE_DIR})")
    parser.add_argument("--message", help="the tag's message (default: name, version and metrics)")
    args = parser.parse_args(argv)
    try:
        if args.tag:
            print(f"tagged {tag(args.root, args.package, args.message)}")
        else:
            info = planned_tag(args.root, args.package)
            check_committed(args.root)
            print(f"would tag HEAD as {info['tag']}; run again with --tag")
    except NotReady as problem:
        print(f"register: {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
