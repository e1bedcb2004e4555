"""The JSON shapes of the public API (docs/api.md): one module per router, with examples.

Every route answers one of these models, validated on the way out. A document that
comes from a service is an open model: the fields listed are checked and documented,
and any others the service sends pass through unchanged.
"""
