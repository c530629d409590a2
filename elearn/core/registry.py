"""Registries: how a lower feature asks the higher ones something without importing them.

A feature low in the dependency order (DESIGN.md §3) declares a ``Registry`` ("who may see this
course?", "what goes on the home page?"); higher features add their functions to it in their
``init_app``. Events that need no answer go through blinker signals instead.
"""
from __future__ import annotations


class Registry:
    """An ordered set of providers registered by name; registering a name again replaces it."""

    def __init__(self, purpose: str):
        self.purpose = purpose
        self._providers: dict[str, object] = {}

    def register(self, name: str, provider=None):
        """``registry.register("classes", fn)``, or as a decorator ``@registry.register("classes")``."""
        if provider is None:
            return lambda fn: self.register(name, fn)
        self._providers[name] = provider
        return provider

    def unregister(self, name: str) -> None:
        self._providers.pop(name, None)

    def __iter__(self):
        return iter(list(self._providers.values()))

    def __len__(self) -> int:
        return len(self._providers)

    def __contains__(self, name: str) -> bool:
        return name in self._providers

    def get(self, name: str):
        return self._providers.get(name)

    def __repr__(self) -> str:
        return f"<Registry {self.purpose}: {', '.join(self._providers) or 'empty'}>"
