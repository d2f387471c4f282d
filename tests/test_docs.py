"""The README documents every command, option and route (a new one must be written down)."""

import re

from archive.cli import cli
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_and_option_is_in_the_readme():
    for name in cli.list_commands(None):  # with the commands other packages add (`serve`)
        command = cli.get_command(None, name)
        assert f"archive {name}" in README, name
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option not in (
                    "--data",
                    "--help",
                    "--progress",
                    "--no-progress",
                    "--threads",
                ):
                    assert option in README, f"archive {name} {option}"


def test_every_api_route_is_in_the_readme(tmp_path):
    from archive.config import Settings
    from web import create_app

    app = create_app(Settings.from_env(tmp_path / "data"))
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", "<id>", rule.rule)  # /api/documents/<string:doc_id> -> <id>
        if path.startswith("/api/") or path == "/healthz":
            assert path in README, rule.rule
