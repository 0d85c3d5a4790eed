"""bch: checked, reconciled, charted board packs from the BCH collaboration savings sheet.

Importing the package is cheap and writes nothing; each stage lives in its own module.
The version is the installed distribution's (`importlib.metadata.version("bch")`, as `bch --version` shows).
"""
