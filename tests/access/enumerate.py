"""Every URL pattern of the project, from the resolver itself (namespaced includes walked recursively)."""

from django.urls import URLPattern, URLResolver, get_resolver


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield name, prefix + str(pattern.pattern)


def all_url_patterns():
    """(name or None, route) of every pattern the project serves."""
    return list(_walk(get_resolver().url_patterns))
