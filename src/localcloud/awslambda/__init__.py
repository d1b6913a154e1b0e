"""localcloud's AWS Lambda: functions whose Python handlers really run, in warm worker
subprocesses, with Lambda's environment, context object, timeouts, errors and CloudWatch logs.
"""
