"""The documentation cannot drift from the code.

- Every hook in :mod:`participatie.hookspecs` has a section in docs/hooks.md
  whose heading shows exactly the specification's arguments, and an autodoc
  directive for it (as datasette's tests/test_docs.py does for its hooks).
- Every name in ``participatie.__all__`` is documented in docs/api.md.
- The storage backend built step by step in docs/plugins.md passes the same
  conformance suite as the built-in backends, and the example test in that
  guide passes with the real pytest fixtures.

(The code blocks of the pages themselves run through Sybil: docs/conftest.py.)
"""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import participatie
from participatie import hookspecs
from participatie.testing import HookRecorder, StoreConformance

DOCS = Path(__file__).resolve().parent.parent / "docs"

# "## `participatie_open_store(url)`" (backticks optional).
HOOK_HEADING = re.compile(r"^##\s+`?(participatie_\w+)\(([^)]*)\)`?\s*$", re.MULTILINE)
# ".. autofunction:: participatie.hookspecs.participatie_open_store"
AUTODOC_DIRECTIVE = re.compile(
    r"^\s*\.\.\s+(?:auto(?:class|function|data|exception|attribute|method|decorator|module)"
    r"|py:(?:class|function|data|exception|attribute|method|decorator))::\s+(\S+)",
    re.MULTILINE,
)
# ```{autoclass} participatie.Event (MyST directive syntax)
MYST_AUTODOC_DIRECTIVE = re.compile(r"^```\{auto\w+\}\s+(\S+)", re.MULTILINE)


def hook_specs() -> dict[str, Callable[..., object]]:
    """Every hook specification: the functions of hookspecs named participatie_*."""
    return {
        name: function
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("participatie_")
    }


def documented_hooks() -> dict[str, list[str]]:
    """Hook name -> argument names, as the headings of docs/hooks.md show them."""
    text = (DOCS / "hooks.md").read_text(encoding="utf-8")
    hooks: dict[str, list[str]] = {}
    for name, arguments in HOOK_HEADING.findall(text):
        assert name not in hooks, f"docs/hooks.md has two sections for {name}"
        hooks[name] = [argument.strip() for argument in arguments.split(",") if argument.strip()]
    return hooks


def autodoc_targets(page: str) -> set[str]:
    """Every name an autodoc (or explicit py:) directive on a page documents."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return set(AUTODOC_DIRECTIVE.findall(text)) | set(MYST_AUTODOC_DIRECTIVE.findall(text))


def test_there_are_hooks_to_check() -> None:
    assert len(hook_specs()) >= 5
    assert documented_hooks()


@pytest.mark.parametrize("hook", sorted(hook_specs()))
def test_hook_is_documented_with_its_arguments(hook: str) -> None:
    documented = documented_hooks()
    assert hook in documented, f"docs/hooks.md has no section '## `{hook}(...)`'"
    spec_arguments = list(inspect.signature(hook_specs()[hook]).parameters)
    assert documented[hook] == spec_arguments, (
        f"docs/hooks.md documents {hook}({', '.join(documented[hook])}), "
        f"but the specification is {hook}({', '.join(spec_arguments)})"
    )
    assert f"participatie.hookspecs.{hook}" in autodoc_targets("hooks.md"), (
        f"docs/hooks.md does not include the docstring of {hook} "
        f"(.. autofunction:: participatie.hookspecs.{hook})"
    )


def test_no_documented_hook_is_missing_from_the_specs() -> None:
    unknown = set(documented_hooks()) - set(hook_specs())
    assert not unknown, f"docs/hooks.md documents hooks that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("name", sorted(participatie.__all__))
def test_public_name_is_in_the_api_reference(name: str) -> None:
    assert f"participatie.{name}" in autodoc_targets("api.md"), (
        f"participatie.{name} is public (in __all__) but docs/api.md does not document it; "
        f"add an autodoc directive such as '.. autoclass:: participatie.{name}'"
    )


# --- code from the plugin author's guide, run as real tests -----------------


def marked_code(page: str, marker: str) -> str:
    """The Python blocks of a page that follow a MyST comment line ``% <marker>``."""
    text = (DOCS / page).read_text(encoding="utf-8")
    block = re.compile(rf"^% {re.escape(marker)}\n```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
    parts = block.findall(text)
    assert parts, f"docs/{page} has no code blocks marked '% {marker}'"
    return "\n\n".join(parts)


EXAMPLE_STORE_MODULE = "participatie_docs_example_store"


def load_example_store() -> ModuleType:
    """Assemble the blocks marked ``% example_store.py`` in docs/plugins.md into a module."""
    if EXAMPLE_STORE_MODULE in sys.modules:
        return sys.modules[EXAMPLE_STORE_MODULE]
    code = compile(marked_code("plugins.md", "example_store.py"), str(DOCS / "plugins.md"), "exec")
    module = ModuleType(EXAMPLE_STORE_MODULE)
    module.__file__ = str(DOCS / "plugins.md")
    sys.modules[EXAMPLE_STORE_MODULE] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        del sys.modules[EXAMPLE_STORE_MODULE]
        raise
    return module


class TestExampleStoreFromDocs(StoreConformance):
    """The backend the guide builds passes everything the built-in ones pass."""

    opener = f"{EXAMPLE_STORE_MODULE}:open_example_store"

    @pytest.fixture
    def fresh_store_url(self) -> Callable[[], str]:
        load_example_store()
        return lambda: "example://"


def test_example_store_answers_only_its_own_scheme() -> None:
    module = load_example_store()
    assert module.participatie_open_store("memory://") is None
    store = module.participatie_open_store("example://")
    assert isinstance(store, participatie.LedgerStore)
    store.close()


def test_the_guides_example_test_passes_with_the_real_fixtures(
    participatie_app: participatie.Participatie,
    participatie_clock: participatie.FixedClock,
    hook_recorder: HookRecorder,
) -> None:
    namespace: dict[str, object] = {}
    exec(
        compile(marked_code("plugins.md", "tests/test_waiting_list.py"), "plugins.md", "exec"),
        namespace,
    )
    example = namespace["test_a_cancellation_promotes_the_next_person"]
    assert callable(example)
    example(participatie_app, participatie_clock, hook_recorder)
