"""The public API: one `__all__`, complete, and LangGraph's names at LangGraph's paths."""

from __future__ import annotations

import importlib
import sys

import pytest

import livegraph

# What code written for LangGraph imports, by module path (with `langgraph` replaced by `livegraph`).
LANGGRAPH_PATHS = {
    "livegraph.graph": ["StateGraph", "START", "END", "MessagesState", "add_messages"],
    "livegraph.graph.state": ["StateGraph", "CompiledStateGraph", "START", "END"],
    "livegraph.graph.message": ["add_messages", "MessagesState", "RemoveMessage", "REMOVE_ALL_MESSAGES"],
    "livegraph.config": ["get_stream_writer", "get_config", "get_store"],
    "livegraph.constants": ["START", "END", "TAG_NOSTREAM", "TAG_HIDDEN", "CONF", "TASKS", "CONFIG_KEY_CHECKPOINTER"],
    "livegraph.types": ["Send", "Command", "RetryPolicy", "StreamMode", "StreamWriter", "interrupt", "Interrupt",
                        "StateSnapshot", "PregelTask", "All", "Checkpointer", "default_retry_on", "CachePolicy",
                        "GraphOutput", "Overwrite", "Durability", "StateUpdate", "TimeoutPolicy", "TracePolicy",
                        "omit_payload", "ensure_valid_checkpointer", "StreamPart", "ValuesStreamPart",
                        "UpdatesStreamPart", "MessagesStreamPart", "CustomStreamPart", "CheckpointStreamPart",
                        "TasksStreamPart", "DebugStreamPart", "TaskPayload", "TaskResultPayload", "CheckpointTask",
                        "CheckpointPayload", "DebugPayload"],
    "livegraph.errors": ["GraphRecursionError", "InvalidUpdateError", "GraphInterrupt", "NodeInterrupt",
                         "EmptyInputError", "EmptyChannelError", "ParentCommand", "GraphBubbleUp", "ErrorCode",
                         "GraphDrained", "NodeCancelledError", "NodeError", "NodeTimeoutError", "TaskNotFound",
                         "UnknownInterruptError", "is_invalid_resume"],
    "livegraph.runtime": ["Runtime", "get_runtime", "ExecutionInfo", "RunControl", "ServerInfo"],
    "livegraph.typing": ["StateT", "StateT_co", "StateT_contra", "ContextT", "InputT", "OutputT"],
    "livegraph.store.base": ["BaseStore", "Item", "SearchItem", "GetOp", "PutOp", "SearchOp", "ListNamespacesOp",
                             "MatchCondition", "NamespacePath", "NamespaceMatchType", "Op", "Result",
                             "InvalidNamespaceError", "TTLConfig", "IndexConfig", "NOT_PROVIDED",
                             "validate_op_namespace"],
    "livegraph.store.memory": ["InMemoryStore"],
    "livegraph.cache.base": ["BaseCache", "FullKey", "Namespace"],
    "livegraph.cache.memory": ["InMemoryCache"],
    "livegraph.checkpoint.memory": ["InMemorySaver", "MemorySaver"],
    "livegraph.checkpoint.sqlite": ["SqliteSaver"],
}


@pytest.mark.parametrize("module", sorted(LANGGRAPH_PATHS))
def test_langgraph_s_names_are_at_langgraph_s_paths(module: str) -> None:
    mod = importlib.import_module(module)
    missing = [name for name in LANGGRAPH_PATHS[module] if not hasattr(mod, name)]
    assert missing == []
    assert sorted(set(mod.__all__) - set(dir(mod))) == []  # every exported name exists


def test_the_top_level_export_list_is_complete_and_every_name_is_the_same_object() -> None:
    assert len(livegraph.__all__) == len(set(livegraph.__all__))
    assert sorted(n for n in livegraph.__all__ if not hasattr(livegraph, n)) == []
    # Every public name of the thin LangGraph-path modules is importable from `livegraph` too, as the same object.
    not_top: list[str] = []
    for module in ("livegraph.graph", "livegraph.config", "livegraph.types", "livegraph.errors", "livegraph.runtime"):
        mod = importlib.import_module(module)
        for name in mod.__all__:
            value = getattr(mod, name)
            if isinstance(value, type(sys)):  # submodules like `livegraph.graph.message`
                continue
            if getattr(livegraph, name, None) is not value:
                not_top.append(f"{module}.{name}")
    assert not_top == []


def test_the_layers_above_the_engine_are_importable_and_export_what_they_document() -> None:
    import livegraph.checkpoint as checkpoint
    import livegraph.llm as llm
    import livegraph.notebook as notebook
    import livegraph.render as render

    for mod in (checkpoint, llm, notebook, render):
        assert sorted(set(mod.__all__) - set(dir(mod))) == [], mod.__name__
    assert {"run", "arun", "Panel", "RunView", "resume_form", "replay"} <= set(notebook.__all__)
    assert {"chat", "achat", "stream_chat", "astream_chat", "stream_text", "use_embedded", "LLMStreamError"} <= set(
        llm.__all__
    )
    assert {"to_dot", "to_svg", "to_png", "to_mermaid", "svg_with_states", "mimebundle"} <= set(render.__all__)
