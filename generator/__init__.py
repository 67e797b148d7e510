"""replicate-codegen: Apifox pages of Replicate-style endpoints -> OpenAPI 3.1 -> typed client and docs.

The data flows one way::

    specs/apifox/*  --importing-->  Endpoint record  --normalize-->  specs/models/<owner>/<name>.yaml
        --validate-->  Catalog  --render-->  generated/python, generated/docs
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
