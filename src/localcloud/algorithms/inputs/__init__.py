"""Input readers every built-in algorithm shares.

- :mod:`.recordio_protobuf`: RecordIO-protobuf ``Record`` messages, dense or sparse, to arrays and
  back (responses);
- :mod:`.csv_table`: CSV text to a float table, with or without a label column, with errors that
  name the file, line and column;
- :mod:`.channels`: a job's channels as SageMaker hands them over (``ContentType``, files,
  ``ManifestFile`` / ``ShardedByS3Key`` shards, gzip), read into features and labels.

The platform downloads ``S3Prefix`` and ``ManifestFile`` sources alike into
``input/data/<channel>/``; with one instance ``ShardedByS3Key`` hands that instance every shard,
so algorithms read every data file of the folder whatever the channel's S3 data type.
"""
