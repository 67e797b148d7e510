"""The models' `Input` classes, made by datamodel-code-generator in a single call per build.

Every model's Input is named `<module>.<Class>Input` in one OpenAPI document, which makes the
generator emit one module per model (so they load lazily) without one run per model.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

from datamodel_code_generator import InputFileType, PythonVersion, generate
from datamodel_code_generator.enums import DataModelType, OpenAPIScope
from datamodel_code_generator.format import Formatter
from datamodel_code_generator.parser import LiteralType

from generator.catalog import Catalog

HEADER_MARKER = "# <replicate-codegen header>"


def render_inputs(catalog: Catalog) -> dict[str, str]:
    """module name -> source of `types/<module>.py`, starting with `HEADER_MARKER` for the caller to fill."""
    if not catalog.models:
        return {}
    schemas = {f"{m.accessor}.{m.input_class}": _for_codegen(m.input_schema) for m in catalog.models}
    aliases = {
        f"{m.input_class}.{f.name}": f.identifier for m in catalog.models for f in m.fields if f.name != f.identifier
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "inputs", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # about its own future defaults; ours are explicit
        result = generate(
            json.dumps(document, sort_keys=False),
            input_file_type=InputFileType.OpenAPI,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            openapi_scopes=[OpenAPIScope.Schemas],
            aliases=aliases,
            enum_field_as_literal=LiteralType.All,
            strict_nullable=True,
            field_constraints=True,
            use_annotated=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=True,
            use_field_description=True,
            use_double_quotes=True,
            disable_timestamp=True,
            custom_file_header=HEADER_MARKER,
            formatters=[Formatter.BUILTIN],
        )
    if not isinstance(result, dict):  # one module only: the generator returns it bare
        raise RuntimeError("datamodel-code-generator returned a single module for a modular document")
    modules = {}
    for parts, source in result.items():
        name = "/".join(parts).removesuffix(".py")
        if name != "__init__":
            modules[name] = source
    return modules


def _for_codegen(schema: dict[str, Any]) -> dict[str, Any]:
    """Our `x-` annotations mean nothing to the code generator; the title would rename the class."""
    cleaned = {k: v for k, v in schema.items() if k != "title"}
    cleaned["properties"] = {
        name: {k: v for k, v in prop.items() if not k.startswith("x-")}
        for name, prop in (schema.get("properties") or {}).items()
    }
    return cleaned
