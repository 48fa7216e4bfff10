"""Catalogue fixtures."""
