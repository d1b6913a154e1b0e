"""Packages put on the path of learners' scripts (see ``sagemaker_containers``)."""
