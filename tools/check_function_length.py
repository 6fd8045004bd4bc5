#!/usr/bin/env python3
"""Reports every C++ function body in src/ longer than the limit.

The developers' guide keeps functions under 80 lines, each doing one thing.
This is a simple scanner, not a parser: it strips comments, string and
character literals, then matches braces. A body opens at a '{' whose
preceding text ends in a ')' (a parameter list, possibly followed by
qualifiers such as const, override, noexcept or a trailing return type, or
a constructor's initializer list) at namespace or class scope, and its
length is the number of lines from the line of its '{' to that of its
matching '}'. Lambdas and blocks inside a function count towards the
enclosing function. Exits 1 if any function is over the limit.

Usage: tools/check_function_length.py [--max N] [PATH...]
PATHs are .cc files or directories (default: src/ under the repository).
"""

import argparse
import os
import re
import sys

# Words that may stand between a parameter list's ')' and the body's '{'.
_QUALIFIERS = re.compile(
    r"\)\s*(?:(?:const|override|final|noexcept|volatile|mutable|&|&&)\s*)*"
    r"(?:->\s*[\w:<>,\s\*&]+)?\s*$")
# A constructor's initializer list: ') : a_(x), b_{y}' before the body.
_INIT_LIST = re.compile(r"\)\s*:\s*[\w:]+\s*[\(\{]")
_CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else)\s*(\(|$)")


def strip(text):
    """Blanks comments and literals, keeping newlines so line numbers hold."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = ")" + m.group(1) + '"'
            j = text.find(end, i + m.end())
            j = n if j < 0 else j + len(end)
            out.append('""' + "\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            # A digit separator (1'000) is not a character literal.
            if c == "'" and i > 0 and text[i - 1].isalnum():
                out.append(" ")
                i += 1
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """Yields (name, first line, line count) for each top-level function body."""
    code = strip(text)
    # Preprocessor lines carry no braces worth matching.
    code = re.sub(r"(?m)^[ \t]*#.*$", "", code)
    stack = []  # For each open brace: whether it is a function body.
    inside = 0  # How many function bodies enclose the current point.
    start = {}
    line = 1
    last = 0  # Where the text before the next '{' begins.
    for i, c in enumerate(code):
        if c == "\n":
            line += 1
        elif c == "{":
            before = code[last:i]
            is_function = False
            if inside == 0:
                head = before.strip()
                tail = head[-300:]
                if (_QUALIFIERS.search(tail) or _INIT_LIST.search(tail)) and not _CONTROL.search(
                        head.split("\n")[-1]):
                    is_function = not re.search(r"=\s*\[.*\]\s*\(", head)
            stack.append(is_function)
            if is_function:
                inside += 1
                m = re.search(r"([\w:~<>=!+\-*/\[\]]+)\s*\(", tail_name(before))
                start[len(stack)] = (m.group(1) if m else "?", line)
            last = i + 1
        elif c == "}":
            if stack:
                was_function = stack.pop()
                if was_function:
                    inside -= 1
                    name, first = start.pop(len(stack) + 1)
                    yield name, first, line - first + 1
            last = i + 1
        elif c == ";":
            last = i + 1
    return


def tail_name(before):
    """The declaration text before a body, from its last statement end."""
    text = before
    # The name precedes the first '(' of the declarator at depth zero.
    depth = 0
    for k, ch in enumerate(text):
        if ch == "(":
            if depth == 0:
                return text[:k + 1]
            depth += 1
        elif ch == ")":
            depth -= 1
    return text


def sources(paths):
    for path in paths:
        if os.path.isdir(path):
            for root, _, files in os.walk(path):
                for f in sorted(files):
                    if f.endswith(".cc"):
                        yield os.path.join(root, f)
        else:
            yield path


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--max", type=int, default=80, help="longest body allowed, in lines")
    parser.add_argument("paths", nargs="*")
    args = parser.parse_args()
    paths = args.paths or [os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")]
    over = 0
    for path in sorted(sources(paths)):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for name, first, count in functions(text):
            if count > args.max:
                print(f"{os.path.relpath(path)}:{first}: {name} is {count} lines (limit {args.max})")
                over += 1
    if over:
        print(f"{over} function(s) over {args.max} lines", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
