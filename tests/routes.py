"""Enumerate every URL the project serves, so route-wide tests can insist on covering them."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # namespaced name, e.g. "portal:home" or "organization-detail"
    pattern: str  # the full pattern, for messages
    namespace: str

    @property
    def takes_arguments(self) -> bool:
        return "<" in self.pattern or "(" in self.pattern


def iter_routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """Yield every named route (unnamed ones are reported under their pattern)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child_namespace = namespace
            if entry.namespace:
                child_namespace = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from iter_routes(entry, prefix + str(entry.pattern), child_namespace)
        elif isinstance(entry, URLPattern):
            name = entry.name or f"<unnamed {prefix}{entry.pattern}>"
            full = f"{namespace}:{name}" if namespace else name
            yield Route(name=full, pattern=prefix + str(entry.pattern), namespace=namespace)


def route_names() -> set[str]:
    return {route.name for route in iter_routes()}
