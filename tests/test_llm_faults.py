"""Faults: the node fails with one `LLMStreamError` naming the node and the model, after every chunk before the
fault reached the consumer; retries follow the node's `RetryPolicy`; stopping the run closes the HTTP stream.
All against the embedded server's scripted faults, over loopback, with the real `openai` client."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import time
from typing import Any, TypedDict

import openai
import pytest

from livegraph import LiveGraphError, RetryPolicy, llm
from livegraph.graph import START, StateGraph
from livegraph.llm import EmbeddedServer, Fault, LLMStreamError, Reply
from llm_fakes import (  # noqa: F401 - fixtures
    MODES,
    chat_node,
    clean_env_fixture,
    embedded_fixture,
    run,
    run_until_error,
    serve,
    sync_client,
)

FIVE = Reply("one two three four five")
STREAMED = [{"role": "assistant", "content": token} for token in ("one", " two", " three")]
PREFIX = "Node `ask`: the LLM call to model `livegraph-tiny` failed"


class State(TypedDict, total=False):
    reply: Any


def graph_of(node: Any, **options: Any) -> Any:
    return StateGraph(State).add_node("ask", node, **options).add_edge(START, "ask").compile()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("fault", "message", "cause"),
    [
        (Fault("drop", after=3, reply=FIVE),
         "after streaming 3 chunks: the connection was dropped mid-stream.", openai.APIConnectionError),
        (Fault("malformed", after=3, reply=FIVE),
         "after streaming 3 chunks: the server sent a chunk that is not valid JSON (Expecting value: line 1 column 39 (char 38)).",
         ValueError),
        (Fault("stall", after=3, seconds=30, reply=FIVE),
         "after streaming 3 chunks: no data arrived within the client's timeout. Raise the client's `timeout=` if the model is slow.",
         openai.APITimeoutError),
    ],
    ids=["drop", "malformed", "timeout"],
)
def test_a_fault_mid_stream_fails_the_node_after_streaming_what_came(mode: str, fault: Fault, message: str, cause: type) -> None:
    with serve([fault]) as server:
        graph = graph_of(chat_node(mode, server, custom=True, timeout=0.5))
        seen, exc = run_until_error(graph, {}, mode, "custom")
        record = server.requests[-1]
        assert record.finished.wait(2)
    assert seen == STREAMED
    assert type(exc) is LLMStreamError
    assert str(exc) == f"{PREFIX} {message} The 13 characters streamed so far are on `.partial_text`."
    assert (exc.node, exc.model, exc.partial_text, exc.status_code, exc.transient) == (
        "ask", "livegraph-tiny", "one two three", None, True)
    assert isinstance(exc.__cause__, cause)
    assert record.tokens_sent == 3


def test_a_stream_cut_short_without_a_finish_reason_is_returned_marked_incomplete(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from openai.types.chat import ChatCompletionChunk

    from livegraph import MessageChunk
    from livegraph.notebook import run as watch

    def chunk(content: str) -> ChatCompletionChunk:
        return ChatCompletionChunk.model_validate({
            "id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "m",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
        })

    def ask(state: State) -> State:
        return {"reply": llm.stream_chat([chunk("cut"), chunk(" short")], custom=True)}

    why = "the stream ended before the model finished (no `finish_reason` was sent)"
    chunks = list(graph_of(ask).stream({}, stream_mode=["custom", "messages", "values"]))
    order = [(mode, c[0] if mode == "messages" else c) for mode, c in chunks]
    assert order == [  # the input writes no key: no `values` chunk for it, as in LangGraph
        ("messages", MessageChunk("cut", id="c1")),
        ("custom", {"role": "assistant", "content": "cut"}),
        ("messages", MessageChunk(" short", id="c1")),
        ("custom", {"role": "assistant", "content": " short"}),
        ("messages", MessageChunk("", id="c1", response_metadata={"finish_reason": None, "incomplete": why,
                                                                  "model_name": "m"})),
        ("values", {"reply": {"role": "assistant", "content": "cut short", "incomplete": why}}),
    ]
    assert watch(graph_of(ask), {}) == {"reply": {"role": "assistant", "content": "cut short", "incomplete": why}}
    assert capsys.readouterr().out.splitlines()[:3] == ["── ask · step 1 ──", "cut short", f"⚠ incomplete: {why}"]


@pytest.mark.parametrize("mode", MODES)
def test_an_exception_from_a_text_iterable_becomes_an_llm_stream_error(mode: str) -> None:
    def pieces() -> Any:
        yield "partial"
        raise TimeoutError("the socket timed out")

    async def apieces() -> Any:
        yield "partial"
        raise TimeoutError("the socket timed out")

    def ask(state: State) -> State:
        return {"reply": llm.stream_text(pieces(), custom=True, model="my-model")}

    async def aask(state: State) -> State:
        return {"reply": await llm.astream_text(apieces(), custom=True, model="my-model")}

    seen, exc = run_until_error(graph_of(ask if mode == "sync" else aask), {}, mode, "custom")
    assert seen == [{"role": "assistant", "content": "partial"}]
    assert str(exc) == (
        "Node `ask`: the LLM call to model `my-model` failed after streaming 1 chunk: TimeoutError: the socket "
        "timed out. The 7 characters streamed so far are on `.partial_text`."
    )
    assert isinstance(exc.__cause__, TimeoutError)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("options", "message", "status", "transient"),
    [
        ({"script": [Fault("http_error", status=500)]},
         "the server answered HTTP 500 (Scripted fault: HTTP 500.). A node `RetryPolicy` tries again.", 500, True),
        ({"api_key": "sk-right"},
         "the server answered HTTP 401 (Incorrect API key provided: sk-t....). Check `OPENAI_API_KEY`.", 401, False),
        ({"models": ["other"]},
         "the server answered HTTP 404 (The model `livegraph-tiny` does not exist on this server (it serves "
         "`other`).). Check the model name (`model=` or `LIVEGRAPH_MODEL`) and `OPENAI_BASE_URL`.", 404, False),
    ],
    ids=["500", "401", "404"],
)
def test_chat_turns_an_http_error_before_the_stream_into_an_llm_stream_error(
    mode: str, options: dict[str, Any], message: str, status: int, transient: bool
) -> None:
    options = dict(options)
    script = options.pop("script", None)
    with serve(script, **options) as server:
        def ask(state: State) -> State:
            with sync_client(server) as client:
                return {"reply": llm.chat([{"role": "user", "content": "hi"}], model="livegraph-tiny", client=client)}

        async def aask(state: State) -> State:
            from llm_fakes import async_client

            async with async_client(server) as client:
                return {"reply": await llm.achat([{"role": "user", "content": "hi"}], model="livegraph-tiny", client=client)}

        seen, exc = run_until_error(graph_of(ask if mode == "sync" else aask), {}, mode, "custom")
    assert seen == []
    assert str(exc) == f"{PREFIX} before streaming: {message}"
    assert (type(exc), exc.status_code, exc.transient, exc.partial_text) == (LLMStreamError, status, transient, "")
    assert isinstance(exc.__cause__, openai.APIStatusError)


def test_chat_names_the_server_it_could_not_reach(clean_env: None) -> None:
    with openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="x", max_retries=0) as client:
        with pytest.raises(LLMStreamError) as caught:
            llm.chat([{"role": "user", "content": "hi"}], model="m", client=client)
    assert str(caught.value) == (
        "The LLM call to model `m` failed before streaming: could not connect to the server at "
        "http://127.0.0.1:9/v1/. Is it running? Check `OPENAI_BASE_URL`."
    )
    assert caught.value.node is None


@pytest.mark.parametrize("mode", MODES)
def test_retries_follow_the_nodes_retry_policy(mode: str) -> None:
    script = [Fault("drop", after=2, reply=Reply("one two three")), "one two three"]
    with serve(script) as server:
        policy = RetryPolicy(initial_interval=0.01, jitter=False, max_attempts=2)
        graph = graph_of(chat_node(mode, server, custom=True), retry_policy=policy)
        chunks = run(graph, {}, mode, ["custom", "values"])
    assert chunks == [  # the input `{}` sets no key: no `values` chunk for it, as in LangGraph
        ("custom", {"role": "assistant", "content": "one"}),
        ("custom", {"role": "assistant", "content": " two"}),  # then the connection drops and the node is retried
        ("custom", {"role": "assistant", "content": "one"}),
        ("custom", {"role": "assistant", "content": " two"}),
        ("custom", {"role": "assistant", "content": " three"}),
        ("values", {"reply": {"role": "assistant", "content": "one two three"}}),
    ]


def test_only_transient_faults_are_retried_with_the_transient_predicate() -> None:
    with serve([Fault("http_error", status=404), "never reached"]) as server:
        def ask(state: State) -> State:
            with sync_client(server) as client:
                return {"reply": llm.chat([{"role": "user", "content": "hi"}], model="m", client=client)}

        policy = RetryPolicy(initial_interval=0.01, jitter=False, retry_on=lambda exc: getattr(exc, "transient", True))
        _, exc = run_until_error(graph_of(ask, retry_policy=policy), {}, "sync", "values")
        assert len(server.requests) == 1
    assert isinstance(exc, LLMStreamError) and exc.status_code == 404


@pytest.mark.parametrize("mode", MODES)
def test_stopping_the_run_closes_the_http_stream_within_a_second(mode: str) -> None:
    with serve([Reply("word " * 200)], tokens_per_second=20) as server:
        graph = graph_of(chat_node(mode, server, custom=True))

        def consume() -> float:
            for index, _ in enumerate(graph.stream({}, stream_mode="custom")):
                if index == 2:
                    break
            return time.monotonic()

        async def aconsume() -> float:
            async with contextlib.aclosing(graph.astream({}, stream_mode="custom")) as chunks:
                index = 0
                async for _ in chunks:
                    if index == 2:
                        break
                    index += 1
            return time.monotonic()

        stopped_at = consume() if mode == "sync" else asyncio.run(aconsume())
        record = server.requests[-1]
        assert record.finished.wait(2)
    assert record.disconnected_at is not None
    assert record.disconnected_at - stopped_at < 1.0
    assert record.tokens_sent < 10


def test_the_error_keeps_builtin_bases_and_pickles() -> None:
    exc = LLMStreamError("boom", node="n", model="m", partial_text="pa", status_code=502, transient=True)
    assert isinstance(exc, LiveGraphError) and isinstance(exc, ConnectionError)
    again = pickle.loads(pickle.dumps(exc))
    assert (str(again), again.node, again.model, again.partial_text, again.status_code, again.transient) == (
        "boom", "n", "m", "pa", 502, True)


def test_an_unreachable_embedded_server_is_not_needed_when_an_endpoint_is_configured(
    embedded: EmbeddedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("LIVEGRAPH_MODEL", "x")
    with pytest.raises(LLMStreamError) as caught:
        llm.chat([{"role": "user", "content": "hi"}])
    assert "could not connect to the server at http://127.0.0.1:9/v1/." in str(caught.value)


def test_a_responses_stream_that_reports_failure_is_an_llm_stream_error() -> None:
    from types import SimpleNamespace as Event

    events = [
        Event(type="response.created", response=Event(id="resp_1", model="m")),
        Event(type="response.output_text.delta", delta="half"),
        Event(type="response.failed", response=Event(error=Event(message="the model crashed"))),
    ]

    def ask(state: State) -> State:
        return {"reply": llm.stream_response(events, custom=True)}

    seen, exc = run_until_error(graph_of(ask), {}, "sync", "custom")
    assert seen == [{"role": "assistant", "content": "half"}]
    assert str(exc) == (
        "Node `ask`: the LLM call to model `m` failed after streaming 1 chunk: the server reported an error "
        "(the model crashed). The 4 characters streamed so far are on `.partial_text`."
    )


@pytest.mark.parametrize("mode", MODES)
def test_stopping_the_run_while_the_server_stalls_closes_the_http_stream_within_a_second(mode: str) -> None:
    # The node is blocked reading a socket that gets no data: it never reaches another write, so the
    # adapter's `on_cancel` hook has to cut the connection from the thread that stops the run.
    stall = Fault("stall", after=2, seconds=30, reply=Reply("one two three four five"))
    with serve([stall], tokens_per_second=0) as server:
        graph = graph_of(chat_node(mode, server, custom=True))
        chunks = graph.stream({}, stream_mode="custom")
        assert [next(chunks), next(chunks)] == [{"role": "assistant", "content": "one"},
                                                {"role": "assistant", "content": " two"}]
        time.sleep(0.3)  # the server is stalling now
        stopped_at = time.monotonic()
        chunks.close()
        record = server.requests[-1]
        assert record.finished.wait(2)
    assert record.disconnected_at is not None
    assert record.disconnected_at - stopped_at < 1.0
    assert record.tokens_sent == 2


def test_the_default_retry_policy_retries_a_dropped_stream_but_not_a_404() -> None:
    policy = RetryPolicy(initial_interval=0.01, jitter=False)
    with serve([Fault("http_error", status=404), "never reached"]) as server:
        def ask(state: State) -> State:
            with sync_client(server) as client:
                return {"reply": llm.chat([{"role": "user", "content": "hi"}], model="m", client=client)}

        _, exc = run_until_error(graph_of(ask, retry_policy=policy), {}, "sync", "values")
        assert len(server.requests) == 1
    assert isinstance(exc, LLMStreamError) and exc.status_code == 404
    with serve([Fault("drop", after=1, reply=Reply("one two")), "one two"]) as server:
        def ask_again(state: State) -> State:
            with sync_client(server) as client:
                return {"reply": llm.chat([{"role": "user", "content": "hi"}], model="m", client=client)}

        assert graph_of(ask_again, retry_policy=policy).invoke({})["reply"]["content"] == "one two"
        assert len(server.requests) == 2


# -- what OpenAI-compatible proxies answer ----------------------------------------------------------------------
@pytest.mark.parametrize("mode", MODES)
def test_a_proxy_s_400_for_an_unknown_model_reads_well_and_gets_the_hint(mode: str) -> None:
    from keepalive_server import KeepAliveServer

    with KeepAliveServer("bad_model") as server:
        def ask(state: State) -> State:
            with openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client:
                return {"reply": llm.chat([{"role": "user", "content": "hi"}], model="gpt-nope", client=client)}

        async def aask(state: State) -> State:
            async with openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0) as client:
                return {"reply": await llm.achat([{"role": "user", "content": "hi"}], model="gpt-nope", client=client)}

        _, exc = run_until_error(graph_of(ask if mode == "sync" else aask), {}, mode, "custom")
    assert str(exc) == (
        "Node `ask`: the LLM call to model `gpt-nope` failed before streaming: the server answered HTTP 400 "
        "(Invalid model name passed in model=gpt-nope. Call `/v1/models` to view available models for your key.). "
        "Check the model name (`model=` or `LIVEGRAPH_MODEL`) and `OPENAI_BASE_URL`."
    )
    assert (exc.status_code, exc.transient) == (400, False)


@pytest.mark.parametrize(
    ("body", "said", "hint"),
    [
        ({"message": "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...test"},
         "Authentication Error, Invalid proxy server token passed. Received API Key = sk-...test",
         "Check `OPENAI_API_KEY`."),
        ({"message": "The model `gpt-5` does not exist or you do not have access to it.", "code": "model_not_found"},
         "The model `gpt-5` does not exist or you do not have access to it.",
         "Check the model name (`model=` or `LIVEGRAPH_MODEL`) and `OPENAI_BASE_URL`."),
        ({"detail": "'messages' is a required property"}, "'messages' is a required property", ""),
        ("{'error': {'message': 'nested\\n  twice'}}", "nested twice", ""),
    ],
    ids=["bad-key", "unknown-model", "detail", "nested-repr"],
)
def test_a_400_body_is_read_and_hinted(body: Any, said: str, hint: str) -> None:
    from livegraph.llm._errors import stream_error

    class BadRequest(Exception):
        status_code = 400

    cause = BadRequest()
    cause.body = body  # type: ignore[attr-defined]
    error = stream_error(cause, node=None, model="m", streamed=None, partial_text="")
    expected = f"The LLM call to model `m` failed before streaming: the server answered HTTP 400 ({said})."
    assert str(error) == (f"{expected} {hint}" if hint else expected)


@pytest.mark.parametrize("mode", MODES)
def test_a_proxy_that_loses_its_upstream_gives_an_incomplete_reply_and_says_so(
    mode: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from keepalive_server import KeepAliveServer
    from livegraph.notebook import RunView
    from livegraph.notebook import run as watch

    why = "the stream ended before the model finished (no `finish_reason` was sent)"
    with KeepAliveServer("no_finish") as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")

        def ask(state: State) -> State:
            return {"reply": llm.chat([{"role": "user", "content": "hi"}], model="m")}

        async def aask(state: State) -> State:
            return {"reply": await llm.achat([{"role": "user", "content": "hi"}], model="m")}

        graph = graph_of(ask if mode == "sync" else aask)
        assert watch(graph, {}) == {
            "reply": {"role": "assistant", "content": "Cats are small carnivorous mammals.", "incomplete": why}}
        header, text, note, _status = capsys.readouterr().out.splitlines()
        assert (header, text, note) == ("── ask · step 1 ──", "Cats are small carnivorous mammals.", f"⚠ incomplete: {why}")
        import comm
        from comm.base_comm import BaseComm

        class Silent(BaseComm):
            def publish_msg(self, *args: Any, **kwargs: Any) -> None:
                pass

        monkeypatch.setattr(comm, "create_comm", Silent)
        view = RunView(graph, auto_refresh=False)
        with view:
            for item in graph.stream({}, stream_mode="events"):
                view.feed(item)
    assert [(p.title, p.text) for p in view.model.records()] == [
        ("ask", f"Cats are small carnivorous mammals.\n⚠ incomplete: {why}\n")]
