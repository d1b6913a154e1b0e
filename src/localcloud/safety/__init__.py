"""What keeps localcloud safe for the machine it runs on.

- :mod:`.egress`: the refusing forward proxy every client is pointed at, so no request leaves
  loopback whatever endpoint a user configures;
- :mod:`.processes`: which processes belong to a state directory's service, so a crash never
  leaves a model server running;
- :mod:`.files`: state files only their owner can read (they hold the session's secrets).
"""
