"""The set-up files agree with each other: pyproject.toml is the one source of dependencies."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI's
CONDA_NAMES = {"pandera[polars]": "pandera-polars", "kaleido": "python-kaleido", "pyyaml": "pyyaml"}


def _pypi() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["dev"]
    out = {}
    for spec in specs:
        name, version = re.match(r"([A-Za-z0-9_.\-\[\]]+)(.*)", spec).groups()
        out[CONDA_NAMES.get(name.lower(), name.lower())] = version
    return out


def _conda() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, version = re.match(r"([A-Za-z0-9_.\-]+)(.*)", dep).groups()
            if name not in ("python", "pip"):
                out[name.lower()] = version
    return out


def test_environment_yml_matches_pyproject():
    assert _conda() == _pypi()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```(?:bash|sh)?\n(.*?)```", readme, re.S).group(1)
    assert "make report" in first_block and "make test" in first_block
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_notebooks_are_committed_without_outputs():
    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")) + sorted((ROOT / "casplan").rglob("*.ipynb")):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, nb_path.name
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{nb_path.name}: exactly one cell tagged parameters"
