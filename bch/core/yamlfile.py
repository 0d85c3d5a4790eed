"""YAML as bch reads it (papermill-style parameters files): PyYAML's safe loader, refusing a key written twice.

PyYAML keeps the last of two equal keys, so `materiality_pct: 5` then `materiality_pct: 50` would run at 50% with
no word said; here it is an error naming the key and its line, like a CSV header written twice.
"""

from __future__ import annotations

import yaml


class _UniqueKeys(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"the key {key!r} is written twice (line {key_node.start_mark.line + 1})", None
                )
            if isinstance(key, str | int | float | bool):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load(text: str):
    """The document's value; yaml.YAMLError (one to say in a line) for bad YAML or a key written twice."""
    return yaml.load(text, Loader=_UniqueKeys)  # a SafeLoader: no Python objects
