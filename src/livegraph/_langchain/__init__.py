"""livegraph with LangChain (`pip install 'livegraph[langchain]'`): messages as LangChain's classes and
`messages` mode from LangChain chat models. The engine reaches this package only through
`livegraph._engine._plugins`, and only once `langchain_core` is installed (messages) or imported (streaming).
"""

from livegraph._langchain._messages import merge_messages, to_langchain
from livegraph._langchain._stream import MessagesHandler, RunInterop

__all__ = ["MessagesHandler", "RunInterop", "merge_messages", "to_langchain"]
