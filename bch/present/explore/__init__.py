"""The explore notebook's widgets and layouts (`notebooks/4.0-explore.ipynb`, `make explore`).

`table` (the sliced variance table, itables), `drill` (one case, cell by cell), `figures` (the pack's charts
with their source cells beside), `controls` (the slicers and what-if inputs) and `app` (what wires them). The
figures come from `bch.analyse.explorecache` and `bch.analyse.scenario`; nothing here reads a file twice or
writes anywhere but `bch.paths.EXPLORE`.
"""
