"""Pure analysis on what was read: checks, summaries, reconciliation, matching, drift between editions, the
trend, changes between packs, the pipeline that runs them all and the tables a pack stores.
"""
