"""Dataset loaders: one module per dataset, re-exported here.

Every loader takes ``source="full"`` (the original data, downloaded from its canonical URL with a
checksum, cache and progress bar) or ``source="sample"`` (a small real sample shipped in ``data/``
or a deterministic generator with the original's exact schema and layout).
"""
