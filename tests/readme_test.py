"""The README's install-and-test commands are the ones CI runs."""

import os
import re

from conftest import REPO


def _install_and_test_block():
    readme = open(os.path.join(REPO, "README.md")).read()
    section = readme.split("## Install and test", 1)[1]
    return re.search(r"```\n(.*?)```", section, re.S).group(1).strip().splitlines()


def test_ci_installs_the_requirements_and_runs_the_readme_test_command():
    commands = _install_and_test_block()
    assert commands[0] == "pip install -r requirements.txt"
    test_command = commands[-1]
    assert test_command.startswith("python -m pytest")
    ci = open(os.path.join(REPO, ".ci", "run")).read()
    assert "pip install -q -r requirements.txt" in ci
    assert ci.strip().splitlines()[-1] == test_command
