"""The localcloud HTTP service: one WSGI app on 127.0.0.1 that dispatches AWS requests to the
services of :mod:`localcloud.services.registry` (it knows the registry, not their internals).
"""
