"""The engine's internals: builder, planner, the sync and async drivers, streaming, persistence.

Standard library only. The public names live at LangGraph's paths (`livegraph.graph`, `livegraph.types`,
...) and at the top of `livegraph`; nothing here is imported by users directly.
"""
