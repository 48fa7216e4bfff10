"""crig: the platform of a French regional geographic-information council."""

__version__ = "0.1.0"
