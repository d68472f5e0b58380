"""Doxygen input filter for the public headers.

The headers document the API in plain // prose (STYLE.md rule 12), which
Doxygen ignores. This filter shows Doxygen the same text as documentation:
a header's opening comment documents the file, a // comment block documents
the declaration after it, and a comment after a member on its line documents
that member. Outside `code spans`, characters Doxygen would read as markup
(<T>, \\x00, #, @) are escaped so the prose reads as written.

Usage (by Doxygen's INPUT_FILTER): python3 filter.py HEADER
"""

import re
import sys

MARKUP = re.compile(r"([<>\\@#&$%])")
LEADING = re.compile(r"^(\s*)//(?!/)(.*)$")
TRAILING = re.compile(r"^(\s*\S.*?)\s+//\s(.*)$")


def escape(text):
    """Escapes markup characters outside backtick code spans."""
    parts = text.split("`")
    for index in range(0, len(parts), 2):
        parts[index] = MARKUP.sub(r"\\\1", parts[index])
    return "`".join(parts)


def convert(lines):
    out = []
    index = 0
    if lines and lines[0].startswith("//"):
        out.append("/// @file")
        while index < len(lines) and lines[index].startswith("//"):
            out.append("/// " + escape(lines[index][2:]))
            index += 1
    for line in lines[index:]:
        leading = LEADING.match(line)
        trailing = TRAILING.match(line)
        if leading:
            out.append(leading.group(1) + "/// " + escape(leading.group(2)))
        elif trailing and '"' not in trailing.group(1):
            out.append(trailing.group(1) + "  ///< " + escape(trailing.group(2)))
        else:
            out.append(line)
    return out


def main():
    with open(sys.argv[1], encoding="utf-8") as header:
        lines = header.read().split("\n")
    sys.stdout.write("\n".join(convert(lines)))


if __name__ == "__main__":
    main()
