"""Benchmarks: ``python -m bench`` runs every module and writes ``results.json``."""
