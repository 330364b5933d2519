"""clause-lint: a linter for contracts and policy documents."""

__version__ = "0.1.0"

__all__ = ["__version__", "lint", "load_document", "Linter", "Options"]


def __getattr__(name: str):  # lazy: `clause-lint --version` should not load spaCy
    if name in ("lint", "load_document", "Linter", "Options"):
        from . import api

        return getattr(api, name)
    raise AttributeError(name)
