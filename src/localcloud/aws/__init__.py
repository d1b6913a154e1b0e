"""What every service localcloud serves shares: AWS errors, request validation against
botocore's service models, and the wire protocols (JSON 1.1, REST-JSON).

This package imports no service and no part of the server, so every service (and the server)
can import it without cycles.
"""
