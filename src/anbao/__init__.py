"""anbao (安保): security operations and MLPS level-3 compliance for a health information system."""

__version__ = "0.1.0"
