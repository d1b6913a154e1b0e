"""localcloud's API Gateway: REST APIs whose stages really answer HTTP at an execute-api URL on
localcloud's port, calling Lambda functions through the proxy integration.
"""
