"""Build one clean OpenAPI 3.1 document per model from an `Endpoint` record, and nothing else."""

from generator.importing.normalize.spec import NormalizedSpec, normalize

__all__ = ["NormalizedSpec", "normalize"]
