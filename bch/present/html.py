"""Every HTML document bch writes: one Content-Security-Policy, one Jinja environment, the templates.

The board pack, each pack's file list, the output folder's index of packs and the reviewers' notebook
pages all carry `CSP`, declared here once: no scripts, no request leaving the file (images only as
data: URIs, as the charts and the notebooks' figures are embedded). The templates under templates/ are
rendered with autoescaping on and strict undefined names, so every label from the data is shown as text,
and each receives the policy as the variable `csp`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from bch.present.wrapping import breakable

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
TEMPLATES = Path(__file__).with_name("templates")


def environment(filters: dict | None = None):
    """Jinja with autoescaping, strict undefined names, templates/ to load from, `filters`, and `csp` (the policy,
    written as it is: a constant, its quotes not escaped)."""
    import jinja2
    import markupsafe

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.globals["csp"] = markupsafe.Markup(CSP)
    env.filters["breakable"] = breakable
    env.filters.update(filters or {})
    return env


@functools.lru_cache(maxsize=1)
def _shared():
    return environment()


def render(template: str, /, **context) -> str:
    """The `template` of templates/ rendered with `context` (read again when its file changes)."""
    return _shared().get_template(template).render(**context)
