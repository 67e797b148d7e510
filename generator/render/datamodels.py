"""datamodel-code-generator, called in one place: the component schemas of an OpenAPI document ->
one module of pydantic v2 classes per `<module>.<Class>` name.
The renderer prepares the schemas and writes the modules out (`generator.render.inputs`).
"""

from __future__ import annotations

import json
import warnings
from typing import Any

HEADER_MARKER = "# <replicate-codegen header>"  # each module's first line, for the renderer to fill


def modules(schemas: dict[str, Any], aliases: dict[str, str]) -> Any:
    """datamodel-code-generator's modules for the `schemas` of one OpenAPI document: (path parts of
    the module) -> source, each starting with `HEADER_MARKER`; `aliases`: `<module>.<Class>.<wire
    name>` -> field name."""
    # imported here, as it is slow to import: a run that renders no model does not pay for it
    from datamodel_code_generator import InputFileType, PythonVersion, generate
    from datamodel_code_generator.enums import DataModelType, OpenAPIScope
    from datamodel_code_generator.parser import LiteralType

    document = {
        "openapi": "3.1.0",
        "info": {"title": "inputs", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # about its own future defaults; ours are explicit
        return generate(
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
            formatters=[],  # ruff formats every module after, so its own pass would be spent twice
        )


def warm_up() -> None:
    """Have datamodel-code-generator load all it loads on its first call, so
    that the next call is quick: what `watch` does first."""
    modules({"warm_up.WarmUpInput": {"type": "object", "properties": {"prompt": {"type": "string"}}}}, {})
