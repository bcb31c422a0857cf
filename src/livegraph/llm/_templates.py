"""What the offline model says: deterministic replies built from the conversation with templates.

Pure functions over OpenAI-format messages and tools; no I/O, no randomness, no weights. The same
conversation always gets the same reply, so tests can assert whole token lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

Message = Mapping[str, Any]

# Items for the seed's tool prompt ("what kind of items i might find in the following place: 'bedroom'").
# Each description has no comma, so the answer stays a comma-separated list, as the prompt asks.
PLACES: dict[str, list[tuple[str, str]]] = {
    "bedroom": [
        ("bed", "a soft place to sleep and rest"),
        ("wardrobe", "a tall cupboard for hanging clothes"),
        ("nightstand", "a small table beside the bed for a lamp or a book"),
        ("alarm clock", "wakes you up in the morning"),
    ],
    "kitchen": [
        ("refrigerator", "keeps food cold and fresh"),
        ("stove", "heats pots and pans for cooking"),
        ("kettle", "boils water for tea or coffee"),
        ("cutting board", "a flat surface for chopping vegetables"),
    ],
    "bathroom": [
        ("toothbrush", "cleans your teeth twice a day"),
        ("towel", "dries you after a shower"),
        ("mirror", "shows your reflection while you get ready"),
        ("soap", "washes dirt off your hands"),
    ],
    "living room": [
        ("sofa", "a long padded seat for the whole family"),
        ("coffee table", "a low table for cups and magazines"),
        ("television", "shows films and the news"),
        ("bookshelf", "holds books and small ornaments"),
    ],
    "office": [
        ("desk", "a table to work at"),
        ("office chair", "an adjustable seat on wheels"),
        ("computer", "runs the programs you work with"),
        ("stapler", "joins sheets of paper together"),
    ],
    "garage": [
        ("car", "the vehicle the room is named for"),
        ("toolbox", "a case of hammers and screwdrivers"),
        ("bicycle", "a two-wheeled ride for short trips"),
        ("garden hose", "carries water to the plants outside"),
    ],
    "garden": [
        ("flower bed", "a patch of soil full of flowers"),
        ("watering can", "carries water to thirsty plants"),
        ("bench", "a seat to enjoy the sun"),
        ("shovel", "digs holes for new plants"),
    ],
    "classroom": [
        ("whiteboard", "where the teacher writes the lesson"),
        ("desk", "a small table for each pupil"),
        ("textbook", "a book with the course material"),
        ("pencil case", "holds pens and pencils"),
    ],
}

# A few topics the model knows a little about; anything else gets a generic answer.
TOPICS: dict[str, str] = {
    "cats": (
        "Cats are small carnivorous mammals that have lived alongside people for thousands of years. "
        "They sleep for most of the day, purr when they are content and use their whiskers to judge "
        "whether they fit through a gap."
    ),
    "dogs": (
        "Dogs were the first animals people domesticated. They read human gestures remarkably well, "
        "come in hundreds of breeds and can smell far better than we can."
    ),
    "the ocean": (
        "The ocean covers about seventy percent of the Earth. It produces much of the oxygen we breathe "
        "and its deepest point lies about eleven kilometres below the surface."
    ),
    "graphs": (
        "A graph is a set of nodes joined by edges. In livegraph each node is a function that reads the "
        "state and returns an update, and edges decide which node runs next."
    ),
    "streaming": (
        "Streaming means showing output as it is produced instead of waiting for the end. For a language "
        "model that means printing each token the moment it arrives."
    ),
}

_ITEMS_IN_PLACE = re.compile(r"\bitems?\b.*?\b(?:in|at)\b[^'\"]*['\"]([^'\"]+)['\"]", re.I | re.S)
_ITEMS_IN_PLAIN_PLACE = re.compile(r"\bitems?\b.*?\b(?:in|at)\s+(?:the\s+|a\s+|an\s+|my\s+)?([\w -]+)", re.I | re.S)
_SUBJECT = (
    re.compile(r"\b(?:about|regarding)\s+(?:the topic\s+)?(.+?)\s*[.?!]*$", re.I | re.S),
    re.compile(r"^\s*(?:what|who|where|when)\s+(?:is|are|was|were)\s+(.+?)\s*[.?!]*$", re.I | re.S),
    re.compile(r"^\s*(?:explain|describe|define|summarize)\s+(.+?)\s*[.?!]*$", re.I | re.S),
)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening))\b", re.I)
_JOKE = re.compile(r"\bjoke\b", re.I)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")
_PREPOSITIONS = r"(?:in|at|about|for|of|on|to|from|with|and|near|next)"
_AFTER_PREPOSITION = re.compile(
    rf"\b{_PREPOSITIONS}\s+(?:the\s+|a\s+|an\s+|my\s+)?([a-z][\w-]*(?:\s+(?!{_PREPOSITIONS}\b)[a-z][\w-]*){{0,2}})",
    re.I,
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z0-9]+")


def text_of(message: Message) -> str:
    """The text of a message whose content is a string or a list of `{"type": "text", "text": ...}` parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, Mapping))
    return ""


def last_user_text(messages: Sequence[Message]) -> str:
    """The text of the last user message ("" when there is none)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return text_of(message)
    return ""


def answer(messages: Sequence[Message]) -> str:
    """A text reply to the conversation (no tools involved)."""
    if messages and messages[-1].get("role") == "tool":
        return _summarize_tool_results(messages)
    question = last_user_text(messages).strip()
    place = _place_asked_about(question)
    if place is not None:
        return items_in(place)
    if not question:
        return "Hello! I am livegraph-tiny, a small offline model. Ask me about any topic."
    if _GREETING.match(question):
        return "Hello! I am livegraph-tiny, a small offline model. Ask me about any topic."
    topic = topic_of(question)
    if _JOKE.search(question):
        subject = topic if any(pattern.search(question) for pattern in _SUBJECT) else "chicken"
        return f"Why did the {subject} cross the graph? To get to the other node!"
    return about(topic)


def items_in(place: str) -> str:
    """The answer to the seed's tool prompt: 3+ items for `place`, separated by commas, each described."""
    items = PLACES.get(place.lower().strip())
    if items is None:
        items = [
            ("chair", "somewhere to sit down"),
            ("lamp", "gives light when it gets dark"),
            ("storage box", f"keeps the things used in the {place} tidy"),
        ]
    listed = ", ".join(f"{name} ({description})" for name, description in items)
    article = "an" if place[:1].lower() in "aeiou" else "a"
    return f"In {article} {place} you might find: {listed}."


def about(topic: str) -> str:
    """A short paragraph about `topic`."""
    known = TOPICS.get(topic.lower())
    if known is not None:
        return known
    return (
        f"Here is a short note about {topic}. {topic[:1].upper()}{topic[1:]} can be looked at from three "
        f"sides: what it is, why it matters and how it connects to everyday life. Ask a follow-up question "
        f"about {topic} to go deeper."
    )


def topic_of(question: str) -> str:
    """The subject of a question ("tell me about X", "what is X", "explain X"), else the question, shortened."""
    topic = question
    for pattern in _SUBJECT:
        match = pattern.search(question)
        if match:
            topic = match.group(1)
            break
    words = topic.strip(" .?!").split()
    return " ".join(words[:8]) or "that"


def _place_asked_about(question: str) -> str | None:
    match = _ITEMS_IN_PLACE.search(question) or _ITEMS_IN_PLAIN_PLACE.search(question)
    return match.group(1).strip() if match else None


def _summarize_tool_results(messages: Sequence[Message]) -> str:
    results: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        name = message.get("name")
        prefix = f"`{name}` returned: " if name else "The tool returned: "
        results.append(prefix + text_of(message).strip())
    return "Here is what I found. " + " ".join(reversed(results))


# --- tool calls -------------------------------------------------------------------------------


def tool_name(tool: Mapping[str, Any]) -> str:
    """The name of a tool given in chat format (`{"type": "function", "function": {...}}`) or flat."""
    spec = tool.get("function", tool)
    return str(spec.get("name", ""))


def choose_tool(
    messages: Sequence[Message], tools: Sequence[Mapping[str, Any]], tool_choice: Any
) -> Mapping[str, Any] | None:
    """The tool to call, or None to answer with text.

    Never calls a tool right after a tool result (the model then answers), honours `tool_choice`
    (`"none"`, `"required"`, `{"type": "function", "function": {"name": ...}}`) and otherwise picks the
    tool whose name and description share the most words with the last user message.
    """
    if not tools or tool_choice == "none" or (messages and messages[-1].get("role") == "tool"):
        return None
    named = _forced_name(tool_choice)
    if named is not None:
        return next((tool for tool in tools if tool_name(tool) == named), None)
    question = set(_WORD.findall(last_user_text(messages).lower()))
    scored = [(len(question & _tool_words(tool)), -index, tool) for index, tool in enumerate(tools)]
    best_score, _, best = max(scored, key=lambda entry: (entry[0], entry[1]))
    if best_score == 0 and tool_choice != "required":
        return None
    return best


def tool_arguments(tool: Mapping[str, Any], messages: Sequence[Message]) -> str:
    """JSON arguments for `tool`, filled from the last user message according to the tool's JSON schema."""
    spec = tool.get("function", tool)
    schema = spec.get("parameters") or {}
    properties: Mapping[str, Any] = schema.get("properties") or {}
    required = schema.get("required") or list(properties)
    question = last_user_text(messages)
    quoted = _QUOTED.findall(question)
    numbers = _NUMBER.findall(question)
    arguments: dict[str, Any] = {}
    for name in required:
        prop = properties.get(name, {})
        kind = prop.get("type", "string")
        if "enum" in prop:
            arguments[name] = next((v for v in prop["enum"] if str(v).lower() in question.lower()), prop["enum"][0])
        elif kind in ("integer", "number"):
            value = numbers.pop(0) if numbers else "0"
            arguments[name] = int(float(value)) if kind == "integer" else float(value)
        elif kind == "boolean":
            arguments[name] = bool(prop.get("default", False))
        elif kind == "array":
            arguments[name] = []
        elif kind == "object":
            arguments[name] = {}
        else:
            arguments[name] = quoted.pop(0) if quoted else _string_from(question)
    return json.dumps(arguments)


def _string_from(question: str) -> str:
    match = _AFTER_PREPOSITION.search(question)
    return match.group(1) if match else topic_of(question)


def _forced_name(tool_choice: Any) -> str | None:
    if isinstance(tool_choice, Mapping):
        spec = tool_choice.get("function", tool_choice)
        name = spec.get("name")
        return str(name) if name else None
    return None


def _tool_words(tool: Mapping[str, Any]) -> set[str]:
    spec = tool.get("function", tool)
    text = f"{spec.get('name', '')} {spec.get('description', '')}".replace("_", " ").lower()
    return {word for word in _WORD.findall(text) if len(word) > 2} - _STOPWORDS


_STOPWORDS = {"the", "and", "use", "this", "tool", "you", "your", "for", "are", "about", "one", "with", "that"}
