"""SageMaker framework containers in script mode: the learner brings ``train.py``/``predict.py``.

Built-in algorithms (:mod:`localcloud.algorithms`) implement a model; a framework container runs
the learner's own script with a real library (torch, scikit-learn), following AWS's toolkits:

- :mod:`.training` (sagemaker-training-toolkit): fetch ``sourcedir.tar.gz``, install
  ``requirements.txt`` into a per-job overlay, set the ``SM_*`` environment
  (:mod:`.environment`), run ``python <program> --name value ...``, and report a failing script
  as ``ExecuteUserScriptError`` with the end of its stderr;
- :mod:`.inference` (sagemaker-inference-toolkit): import the learner's module and serve
  ``model_fn`` / ``input_fn`` / ``predict_fn`` / ``output_fn`` (or ``transform_fn``), with each
  framework's defaults and the toolkits' JSON/CSV/NPY :mod:`.encoders`;
- ``compat/sagemaker_containers``: the few names scripts written for the older containers import.

Each framework (:mod:`.pytorch`, :mod:`.sklearn`) provides ``train(paths)`` and ``Handler``, as
an algorithm does, and is one row of the image table.
"""
