"""Data formats SageMaker defines, shared by the platform, the containers and mlcourse.

- :mod:`.recordio`: RecordIO framing (standard library only: the service imports it for batch
  transform without loading numpy);
- :mod:`.ndarray`: MXNet's NDArray list file, the ``model_algo-1`` artifacts of the first-party
  algorithms (numpy).
"""
