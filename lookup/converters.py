"""One URL path segment per identifier, whatever another service put in it.

Customer ids and stored numbers are whatever the other services wrote: a `/` in one must not
make its URL read as another route (`X/numbers/+55…/unlink` as a customer id would otherwise
open someone else's unlink page), and `..` must not climb out of `/customers/`. Percent-encoding
cannot help: servers decode `%2F` before routing. So every character outside a conservative safe
set is written `~HH` (its UTF-8 bytes), which reads back exactly; ordinary ids (`eu-west-1:7c1e…`)
and E.164 numbers (`+447946095812`) are unchanged.
"""

import re

_SAFE = re.compile(r"[A-Za-z0-9\-_:@+,=.]")
_ESCAPE = re.compile(r"~([0-9A-F]{2})")


class IdentifierConverter:
    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        if "~" not in value:
            return value
        if re.search(r"~(?![0-9A-F]{2})", value):
            raise ValueError("not an escaped identifier")
        raw = bytearray()
        position = 0
        for match in _ESCAPE.finditer(value):
            raw += value[position : match.start()].encode()
            raw.append(int(match.group(1), 16))
            position = match.end()
        raw += value[position:].encode()
        return raw.decode("utf-8")  # a malformed escape raises ValueError: no such page

    def to_url(self, value: str) -> str:
        if value.strip(".") == "":  # "." and ".." are not names in a URL path
            return "".join(f"~{byte:02X}" for byte in value.encode())
        return "".join(
            character
            if _SAFE.fullmatch(character)
            else "".join(f"~{byte:02X}" for byte in character.encode("utf-8", "surrogatepass"))
            for character in value
        )
