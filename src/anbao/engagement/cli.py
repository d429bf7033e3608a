"""CLI commands of this domain."""


def register(subparsers):
    pass
