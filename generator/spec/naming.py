"""Every name the generated code uses is made safe here, and only here.

Rules: ASCII only (unicode is decomposed, accents dropped, the rest replaced), no Python keyword or
soft keyword, no leading digit, no clash with a name the generated code itself binds or reads where
the made name lives, no duplicates. A name that is already safe keeps itself; the others are told
apart deterministically (`_2`, `_3`, … in the order given). The sets below are what the templates
emit; `tests/render/test_naming.py` parses the generated modules and fails when they drift apart.
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

_T = TypeVar("_T", bound=Hashable)

KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)

# `resources/<model>.py`: parameters of `create`/`run` beside the inputs, their locals, and the
# module's own globals (imports, constants) that those functions read.
CALL_PARAMETERS = frozenset(
    {"self", "wait", "timeout", "webhook", "webhook_events_filter", "extra_input", "cancel_after", "options"}
)
CALL_LOCALS = frozenset({"body", "prediction", "ended", "values", "pending", "event"})
RESOURCE_GLOBALS = frozenset(
    {
        "annotations",
        "ACCEPTS_NULL",
        "Any",
        "AsyncClient",
        "AsyncIterator",
        "Client",
        "FileInput",
        "FileOutput",
        "INPUT_FILES",
        "Iterator",
        "Literal",
        "Mapping",
        "MODEL",
        "NOT_GIVEN",
        "NotGiven",
        "OUTPUT_FILES",
        "PATH",
        "Prediction",
        "PredictionFailed",
        "Required",
        "RequestOptions",
        "Sequence",
        "TYPE_CHECKING",
        "TypedDict",
        "VERSION",
        "Wait",
        "WebhookEvent",
        "build_body",
        "cast",
        "deadline",
        "output_of",
        "pending_files",
    }
)
# `types/<model>.py` (datamodel-code-generator): a field shadows these for the rest of its class body.
INPUT_MODULE_GLOBALS = frozenset(
    {"annotations", "Annotated", "Any", "AnyUrl", "BaseModel", "ConfigDict", "Field", "Literal", "RootModel"}
)
# Builtins any generated signature or model reads; every other builtin may be a field name (`input`, `format`).
BUILTINS_READ = frozenset({"bool", "dict", "float", "frozenset", "int", "list", "str"})

# `_client.py`: the client's public attributes and the module globals its class body reads.
CLIENT_ATTRIBUTES = frozenset(
    {"base_url", "close", "data_uri_limit", "file_encoding", "max_retries", "predictions", "timeout"}
)
CLIENT_GLOBALS = frozenset(
    {
        "annotations",
        "AsyncAPIClient",
        "AsyncClient",
        "AsyncPredictions",
        "Client",
        "Predictions",
        "SyncAPIClient",
        "TYPE_CHECKING",
        "Any",
        "cached_property",
        "importlib",
        "_RESOURCES",
        "_resource",
    }
)


# BaseModel's attributes under the pinned pydantic: pydantic refuses them as field names, or they
# would shadow its own. Written out, so that naming fields does not load pydantic (slow to
# import: bench/README.md); tests/render/test_naming.py checks the list against `dir(BaseModel)`.
BASE_MODEL_ATTRIBUTES = frozenset(
    {
        "_abc_impl", "_calculate_keys", "_copy_and_set_values", "_get_value", "_iter", "_setattr_handler",
        "construct", "copy", "dict", "from_orm", "json", "model_computed_fields", "model_config",
        "model_construct", "model_copy", "model_dump", "model_dump_json", "model_extra", "model_fields",
        "model_fields_set", "model_json_schema", "model_parametrized_name", "model_post_init", "model_rebuild",
        "model_validate", "model_validate_json", "model_validate_strings", "parse_file", "parse_obj",
        "parse_raw", "schema", "schema_json", "update_forward_refs", "validate",
    }
)  # fmt: skip
# What no field identifier may be.
FIELD_RESERVED = (
    KEYWORDS
    | CALL_PARAMETERS
    | CALL_LOCALS
    | RESOURCE_GLOBALS
    | INPUT_MODULE_GLOBALS
    | BUILTINS_READ
    | BASE_MODEL_ATTRIBUTES
)


ACCESSOR_RESERVED = KEYWORDS | CLIENT_ATTRIBUTES | CLIENT_GLOBALS
# A model's classes (`X`, `AsyncX`, `XInput`) share modules with these.
CLASS_RESERVED = KEYWORDS | RESOURCE_GLOBALS | CLIENT_GLOBALS | INPUT_MODULE_GLOBALS | frozenset(dir(builtins))


@dataclass(frozen=True)
class ModelNames:
    accessor: str  # client attribute and module name
    class_name: str  # `X`, `AsyncX` and `XOutput` in resources/, `XInput` in types/


def words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", ascii_text)
    return [w.lower() for w in re.split(r"[^0-9A-Za-z]+", ascii_text) if w]


def snake(text: str, *, fallback: str = "field") -> str:
    name = "_".join(words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    return name + "_" if name in KEYWORDS else name


def pascal(text: str, *, fallback: str = "Model") -> str:
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    return f"{fallback}{name}" if name[0].isdigit() else name


def field_identifiers(wire_names: Iterable[str]) -> dict[str, str]:
    """wire name -> keyword-argument / attribute name, unique within one model. A wire name that
    differs from its identifier is kept as the field's alias, so it still reaches the wire."""
    wire_names = list(dict.fromkeys(wire_names))

    def candidate(wire: str) -> str:
        name = snake(wire)
        return name + "_" if name in FIELD_RESERVED or name.startswith("model_") else name

    return _assign(wire_names, candidate, lambda wire, name: wire == name)


def model_names(models: Iterable[tuple[str, str]]) -> Mapping[tuple[str, str], ModelNames]:
    """(owner, name) -> its accessor and class name. The accessor is the model name alone, or
    owner-prefixed for every model whose name another owner also uses (or that names a client
    attribute); class names come from accessors and are unique across `X`, `AsyncX` and `XInput`."""
    return _model_names(tuple(sorted(set(models))))


@functools.lru_cache(maxsize=1)  # each rebuild of `watch` asks again for the names of the same models
def _model_names(models: tuple[tuple[str, str], ...]) -> Mapping[tuple[str, str], ModelNames]:
    shorts = {model: snake(model[1], fallback="model") for model in models}
    uses = Counter(shorts.values())

    def accessor(model: tuple[str, str]) -> str:
        short = shorts[model]
        if uses[short] > 1 or short in ACCESSOR_RESERVED:
            short = snake("_".join(model), fallback="model")
        return short + "_" if short in ACCESSOR_RESERVED else short

    accessors = _assign(models, accessor, lambda model, made: made == model[1])
    taken: set[str] = set(CLASS_RESERVED)

    def clashes(class_name: str) -> bool:
        return bool(_classes(class_name) & taken)

    result = {}
    for model in models:
        base = pascal(accessors[model])
        if _classes(base) & CLASS_RESERVED:  # `None`, `Prediction`: a word of our own tells it apart
            base += "Model"
        class_name = _unique(base, clashes, separator="")  # datamodel-code-generator drops underscores
        taken |= _classes(class_name)
        result[model] = ModelNames(accessors[model], class_name)
    return MappingProxyType(result)


def nested_class(input_class: str, trail: tuple[str, ...], taken: set[str]) -> str:
    """The class of an object nested in a model's Input, at `trail` (property names, `item`, …):
    `<Input class><Trail>`, unique in its module (`taken`) and clear of the names it imports."""
    base = input_class + pascal(" ".join(trail), fallback="Object")
    return _unique(base, lambda name: name in taken or name in CLASS_RESERVED, separator="")


def _classes(class_name: str) -> set[str]:
    return {class_name, f"Async{class_name}", f"{class_name}Input", f"{class_name}Output"}


def _assign(items: Sequence[_T], candidate: Callable[[_T], str], natural: Callable[[_T, str], bool]) -> dict[_T, str]:
    """Made names, unique: an item whose made name is its own (`aspect_ratio`) keeps it whatever
    comes first; the rest get `_2`, `_3`, … in order."""
    made = {item: candidate(item) for item in items}
    result = {item: name for item, name in made.items() if natural(item, name)}
    taken = set(result.values())
    for item in items:
        if item not in result:
            result[item] = _unique(made[item], lambda name: name in taken)
            taken.add(result[item])
    return {item: result[item] for item in items}


def _unique(name: str, clashes: Callable[[str], object], separator: str = "_") -> str:
    candidate, n = name, 2
    while clashes(candidate):
        candidate, n = f"{name}{separator}{n}", n + 1
    return candidate
