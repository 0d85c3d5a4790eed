"""bch: checked, reconciled, charted board packs from the BCH collaboration savings sheet.

Importing the package is cheap and writes nothing; each stage lives in its own module.
"""

__version__ = "0.1.0"
