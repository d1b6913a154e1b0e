"""The services localcloud serves, and the one registry that lists them.

A service is one entry in :data:`localcloud.services.registry.SERVICES`; it says how it
recognises its requests, handles them, and how it starts, resets, stops and reports status
(:class:`localcloud.services.base.Service`). The server knows this registry, not the services'
internals: adding a service means adding its own package and one line to the registry.
"""
