"""The version of participatie; read by hatchling and by ``participatie.__version__``."""

__version__ = "0.1.0.dev0"
