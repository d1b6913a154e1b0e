"""SageMaker built-in algorithms re-implemented with real libraries (xgboost, scikit-learn, ...).

Each subpackage follows the container contract in :mod:`localcloud.containers`: ``train(paths)``
reads the channels and hyperparameters SageMaker would hand the real image and writes the same
artifacts; ``Handler`` serves them with the real algorithm's request and response formats.
"""
