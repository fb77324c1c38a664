"""The values a scenario file marks ``(assumption)``, with the reason its comments give.

Read from the file's text, since TOML parsers drop comments: ``report.html`` lists them
(:func:`sim.report.build`).

>>> marked_values('[a]\\nx = 1   # (assumption) the why\\n')
[('a.x', '1', 'the why')]
"""

MARKER = "(assumption)"
"""What marks a value the source does not give."""


def marked_values(text: str) -> list[tuple[str, str, str]]:
    """The values of a TOML scenario file marked ``(assumption)``: (dotted key, value as written, reason).

    A key is marked when its own line's comment, or the comment block just above it (no blank
    line between), holds the marker; a block just above a ``[table]`` header marks the table,
    whose value is then its keys as written. The reason is the comment without the marker.
    """
    found, table, block = [], "", []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        stripped = lines[index].strip()
        index += 1
        if not stripped:
            block = []
        elif stripped.startswith("#"):
            block.append(stripped.lstrip("#").strip())
        elif stripped.startswith("["):
            code, comment = _split_comment(stripped)
            table = code.strip("[] ").replace('"', "")
            if _marked(block, comment):
                found.append((table, "; ".join(_table_lines(lines, index)), _reason(block, comment)))
            block = []
        else:
            code, comment = _split_comment(stripped)
            while _open_brackets(code) > 0 and index < len(lines):  # a value over several lines
                more, extra = _split_comment(lines[index].strip())
                code, comment, index = f"{code} {more}", " ".join(filter(None, (comment, extra))), index + 1
            key, _, value = code.partition("=")
            if _marked(block, comment):
                path = ".".join(filter(None, (table, key.strip().replace('"', ""))))
                found.append((path, value.strip(), _reason(block, comment)))
            block = []
    return found


def _split_comment(line: str) -> tuple[str, str]:
    """(code, comment) of a TOML line: the first ``#`` outside a string starts the comment."""
    quote = None
    for position, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#":
            return line[:position].rstrip(), line[position + 1:].strip()
    return line.rstrip(), ""


def _open_brackets(code: str) -> int:
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")


def _marked(block: list[str], comment: str) -> bool:
    return MARKER in comment or any(MARKER in line for line in block)


def _reason(block: list[str], comment: str) -> str:
    text = " ".join(filter(None, [*block, comment])).replace(MARKER, "")
    return " ".join(text.split())


def _table_lines(lines: list[str], start: int) -> list[str]:
    """The key lines (comments dropped) of the table whose header is just before ``start``."""
    keys, pending = [], ""
    for line in lines[start:]:
        code, _ = _split_comment(line.strip())
        if not pending and code.startswith("["):  # the next table's header
            break
        pending = f"{pending} {code}".strip()
        if pending and _open_brackets(pending) <= 0:
            keys.append(pending)
            pending = ""
    return keys + ([pending] if pending else [])
