"""The README's two commands: the first installs and completes the examples, the second is CI's."""

import glob
import os
import re

from conftest import REPO


def quick_start_commands():
    """The lines of the first code block under the README's "Quick start" heading."""
    readme = open(os.path.join(REPO, "README.md")).read()
    section = readme.split("## Quick start", 1)[1]
    return re.search(r"```\n(.*?)```", section, re.S).group(1).strip().splitlines()


def test_two_commands_install_and_complete_then_test():
    install_and_complete, test = quick_start_commands()
    install, complete = install_and_complete.split(" && ")
    assert install == "pip install -r requirements.txt"
    assert complete == "python complete.py data/examples/*.png --outDir completions"
    assert len(glob.glob(os.path.join(REPO, "data", "examples", "*.png"))) == 16
    assert test.startswith("python -m pytest")


def test_ci_installs_the_requirements_and_runs_the_readme_test_command():
    ci = open(os.path.join(REPO, ".ci", "run")).read()
    assert "pip install -q -r requirements.txt" in ci
    assert ci.strip().splitlines()[-1] == quick_start_commands()[1]
