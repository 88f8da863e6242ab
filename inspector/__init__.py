"""Request Inspector: see every HTTP request sent to a port, answer it from templates."""

__version__ = "0.1.0"
