"""Every `bch` command the README and docs/ show is one the CLI accepts: a renamed or removed option fails here,
not in a reader's terminal. Commands are parsed by the real parser (nothing runs); continuation lines are joined,
and the placeholders `…`/`...` stand for the options the line before showed."""

import re
import shlex

import pytest

from bch import paths
from bch.cli import parser as cliparser

DOCUMENTS = [paths.ROOT / "README.md", *sorted((paths.ROOT / "docs").glob("*.md"))]
_COMMAND = re.compile(r"\.venv/bin/bch((?: [^#>\n]*)?)")


def _commands() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8").replace("\\\n", " ")
        for block in re.findall(r"```(?:sh|cron)\n(.*?)```", text, re.S):
            for line in block.splitlines():
                found += [(document.name, match.group(1).strip()) for match in _COMMAND.finditer(line)]
    return found


COMMANDS = _commands()


def test_the_documents_show_the_commands_a_reader_needs():
    shown = {
        command.split()[0] + (" " + command.split()[1] if command.startswith("edition") else "")
        for _, command in COMMANDS
        if command
    }
    assert {"check", "pack", "verify", "edition add", "edition withdraw", "edition list"} <= shown
    assert any("--json" in command and "--if-changed" in command for _, command in COMMANDS)  # the cron line


@pytest.mark.parametrize(("document", "command"), COMMANDS, ids=[f"{d}: {c}"[:80] for d, c in COMMANDS])
def test_every_documented_command_parses(document, command):
    words = shlex.split(command)
    # `edition add … --alias X`: the placeholder after `add` stands for what the line before gave
    argv = [w.strip("[]") for i, w in enumerate(words) if not (w in ("…", "...") and words[i - 1] == "add")]
    if "add" in argv and "--as-of" not in argv:  # `edition add … --alias X`: the line before gave the rest
        argv += ["--as-of", "2019-07-18", "--savings", "new.xlsx", "--title", "t", "--document-date", "2019-07-18"]
    try:
        args = cliparser.build().parse_args(argv)
    except BaseException as exc:  # a parse error raises ParameterError; --help-like exits raise SystemExit
        pytest.fail(f"{document}: `bch {command}` is not a command bch accepts: {exc}")
    assert args.handler is not None
