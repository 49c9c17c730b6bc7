"""aicheck: production readiness checks for AI applications."""

__version__ = "0.1.0"
