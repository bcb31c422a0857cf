"""The offline model: tokens, template replies, tool calls and scripts (pure: no server, no graph)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from livegraph.llm import Fault, OfflineModel, Reply, Request, ToolCall, tokenize

GET_ITEMS = {
    "type": "function",
    "function": {
        "name": "get_items",
        "description": "Use this tool to list items one might find in a place you're asked about.",
        "parameters": {"type": "object", "properties": {"place": {"type": "string"}}, "required": ["place"]},
    },
}
GET_WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "days": {"type": "integer"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city", "days", "unit"],
        },
    },
}
SEED_PROMPT = (
    "Can you tell me what kind of items i might find in the following place: 'bedroom'. "
    "List at least 3 such items separating them by a comma. And include a brief description of each item."
)


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def reply_to(text: str, tools: list[dict[str, Any]] | None = None, **request: Any) -> Reply | Fault:
    return OfflineModel(tokens_per_second=0).respond(Request(user(text), tools or (), **request))


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Hello, world!", ["Hello", ",", " world", "!"]),
        ("  two  spaces ", ["  two", "  spaces", " "]),
        ("don't stop", ["don't", " stop"]),
        ('{"place": "bedroom"}', ['{"', "place", '":', ' "', "bedroom", '"}']),
        ("line\nbreak", ["line", "\nbreak"]),
        ("", []),
    ],
)
def test_tokenize_splits_into_words_that_join_back(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens
    assert "".join(tokens) == text


def test_the_seed_prompt_gets_a_comma_separated_list_of_described_items() -> None:
    assert reply_to(SEED_PROMPT) == Reply(
        "In a bedroom you might find: bed (a soft place to sleep and rest), "
        "wardrobe (a tall cupboard for hanging clothes), "
        "nightstand (a small table beside the bed for a lamp or a book), "
        "alarm clock (wakes you up in the morning)."
    )


def test_an_unknown_place_gets_a_generic_list() -> None:
    assert reply_to(SEED_PROMPT.replace("bedroom", "attic")) == Reply(
        "In an attic you might find: chair (somewhere to sit down), lamp (gives light when it gets dark), "
        "storage box (keeps the things used in the attic tidy)."
    )


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("hello", "Hello! I am livegraph-tiny, a small offline model. Ask me about any topic."),
        ("Tell me a joke", "Why did the chicken cross the graph? To get to the other node!"),
        ("Tell me a joke about penguins", "Why did the penguins cross the graph? To get to the other node!"),
        (
            "Tell me about cats",
            "Cats are small carnivorous mammals that have lived alongside people for thousands of years. "
            "They sleep for most of the day, purr when they are content and use their whiskers to judge "
            "whether they fit through a gap.",
        ),
        (
            "What is the capital of France?",
            "Here is a short note about the capital of France. The capital of France can be looked at from "
            "three sides: what it is, why it matters and how it connects to everyday life. Ask a follow-up "
            "question about the capital of France to go deeper.",
        ),
    ],
)
def test_template_answers(question: str, answer: str) -> None:
    assert reply_to(question) == Reply(answer)


def test_replies_are_deterministic() -> None:
    questions = ["Tell me about dogs", SEED_PROMPT, "What is the weather in Oslo for 2 days in celsius?"]
    first = [reply_to(q, [GET_WEATHER]) for q in questions]
    assert [reply_to(q, [GET_WEATHER]) for q in questions] == first


def test_a_matching_tool_is_called_with_arguments_from_the_question() -> None:
    assert reply_to("What is the weather in Paris for the next 3 days in fahrenheit?", [GET_ITEMS, GET_WEATHER]) == Reply(
        tool_calls=(ToolCall("get_weather", '{"city": "Paris", "days": 3, "unit": "fahrenheit"}'),)
    )
    assert reply_to("What items might I find in the living room?", [GET_WEATHER, GET_ITEMS]) == Reply(
        tool_calls=(ToolCall("get_items", '{"place": "living room"}'),)
    )
    assert reply_to("Which items are in 'the shed'?", [GET_ITEMS]) == Reply(
        tool_calls=(ToolCall("get_items", '{"place": "the shed"}'),)
    )


def test_tool_choice_is_honoured() -> None:
    unrelated = "Tell me about cats"
    assert reply_to(unrelated, [GET_ITEMS]) == reply_to(unrelated)  # auto: no tool fits, so text
    assert reply_to(unrelated, [GET_ITEMS], tool_choice="required").tool_calls[0].name == "get_items"  # type: ignore[union-attr]
    forced = {"type": "function", "function": {"name": "get_weather"}}
    assert reply_to("items in the kitchen", [GET_ITEMS, GET_WEATHER], tool_choice=forced).tool_calls[0].name == "get_weather"  # type: ignore[union-attr]
    assert reply_to("items in the kitchen", [GET_ITEMS], tool_choice="none") == Reply(
        "In a kitchen you might find: refrigerator (keeps food cold and fresh), stove (heats pots and pans "
        "for cooking), kettle (boils water for tea or coffee), cutting board (a flat surface for chopping "
        "vegetables)."
    )


def test_after_a_tool_result_the_model_answers_with_it() -> None:
    call = {"id": "call_1", "type": "function", "function": {"name": "get_items", "arguments": '{"place":"x"}'}}
    messages = [
        *user("What items are in the bedroom?"),
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call_1", "name": "get_items", "content": "bed, lamp, rug"},
    ]
    assert OfflineModel().respond(Request(messages, [GET_ITEMS])) == Reply(
        "Here is what I found. `get_items` returned: bed, lamp, rug"
    )


def test_a_script_is_consumed_in_order_then_templates_answer() -> None:
    fault = Fault("drop", after=2)
    model = OfflineModel(["first", Reply(tool_calls=(ToolCall("f", "{}"),)), fault])
    asked = Request(user("hello"))
    assert [model.respond(asked) for _ in range(4)] == [
        Reply("first"),
        Reply(tool_calls=(ToolCall("f", "{}"),)),
        fault,
        Reply("Hello! I am livegraph-tiny, a small offline model. Ask me about any topic."),
    ]


def test_a_script_function_sees_the_request() -> None:
    model = OfflineModel(lambda request: f"{request.model}: {len(request.messages)} messages")
    assert model.respond(Request(user("a") + user("b"), model="m1")) == Reply("m1: 2 messages")


def test_tool_arguments_are_valid_json_for_every_schema_type() -> None:
    tool = {
        "type": "function",
        "function": {
            "name": "book",
            "description": "Book a table",
            "parameters": {
                "type": "object",
                "properties": {"people": {"type": "integer"}, "price": {"type": "number"},
                               "vegan": {"type": "boolean"}, "tags": {"type": "array"}, "extra": {"type": "object"}},
            },
        },
    }
    reply = reply_to("Book a table for 4 people under 30.5 euros", [tool])
    assert isinstance(reply, Reply)
    assert json.loads(reply.tool_calls[0].arguments) == {"people": 4, "price": 30.5, "vegan": False, "tags": [], "extra": {}}


def test_tokens_per_second_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LIVEGRAPH_TOKENS_PER_SECOND", raising=False)
    assert OfflineModel().tokens_per_second == 100
    monkeypatch.setenv("LIVEGRAPH_TOKENS_PER_SECOND", "7.5")
    assert OfflineModel().tokens_per_second == 7.5
    assert OfflineModel(tokens_per_second=0).tokens_per_second == 0
    with pytest.raises(ValueError) as caught:
        OfflineModel(tokens_per_second=-1)
    assert str(caught.value) == "tokens_per_second must be >= 0 (0 = as fast as possible), got -1"
