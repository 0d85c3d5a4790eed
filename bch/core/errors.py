"""Exceptions for expected failures: each carries a message a person can act on."""


class BchError(Exception):
    """Base for failures the CLI reports in one line, without a traceback."""

    exit_code = 1

    def _render_traceback_(self) -> list[str]:
        """IPython (a notebook, papermill) shows it as the CLI's one line, not a traceback; the cell still fails."""
        from bch.core.labels import neutralise

        return [f"bch: error: {neutralise(str(self))}"]


class InputError(BchError):
    """An input file can't be read at all (missing, not a workbook, no such sheet)."""

    exit_code = 2


class ParameterError(BchError):
    """A parameter is unknown, of the wrong type or out of range."""

    exit_code = 2


class DataError(BchError):
    """The data has error findings and the run was asked to be strict."""

    exit_code = 1
