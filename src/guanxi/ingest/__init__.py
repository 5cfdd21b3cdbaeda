"""Importing platform exports: read → map → normalise → validate → split personal data → write.

Everything here works on Arrow arrays a batch at a time (no Python loop per cell), so a file
of millions of rows imports at the speed of a columnar reader with bounded memory.
"""
