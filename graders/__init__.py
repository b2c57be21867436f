"""smtk trainer side: manifest, tailoring, nbgrader pipeline, certification and the `smtk` command."""

from simulations import __version__

__all__ = ["__version__"]
