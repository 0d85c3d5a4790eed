"""Publishing packs: the shared kernel and notebooks (execute), building a pack, the packs of an output
folder and `latest`, the index, manifest, ledger and verify, interrupts, reading previous packs.
"""
