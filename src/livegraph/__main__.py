"""`python -m livegraph`: `serve` runs the embedded OpenAI-compatible server, `demo` streams a graph on it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m livegraph", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the embedded OpenAI-compatible server in the foreground")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=0, help="port to bind (default: a free one, printed)")
    serve.add_argument(
        "--tokens-per-second",
        type=float,
        default=None,
        help="streaming pace, 0 = as fast as possible (default: $LIVEGRAPH_TOKENS_PER_SECOND or 100)",
    )
    serve.add_argument("--api-key", default=None, help="require this key (default: accept any)")
    serve.add_argument(
        "--model",
        action="append",
        dest="models",
        help="accept only this model name (repeatable; default: accept any)",
    )

    demo = commands.add_parser(
        "demo", help="run a small tool-calling graph on the embedded model, streaming tokens"
    )
    demo.add_argument("--place", default="bedroom", help="the place to ask about (default: %(default)s)")
    demo.add_argument(
        "--tokens-per-second", type=float, default=30, help="streaming pace (default: %(default)s)"
    )

    args = parser.parse_args(argv)
    if args.command == "serve":
        from livegraph.llm._cli import serve as run_server

        run_server(args.host, args.port, args.tokens_per_second, args.api_key, args.models)
        return 0
    if args.command == "demo":
        from livegraph.llm._cli import demo as run_demo

        run_demo(args.place, args.tokens_per_second)
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
