"""The ser-edge version string, importable by any stage without pulling in the public API."""

__version__ = "0.1.0"
