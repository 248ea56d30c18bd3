"""GeoReport v2 XML, built with ElementTree so that escaping is never by hand.

The standard wraps every list in a plural element whose children carry the
singular name (`<services><service>`, `<service_requests><request>`), so a
list's item tag is looked up from its parent's tag.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "notes": "note",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}
# Characters XML 1.0 cannot carry even escaped; stored text is cleaned of
# control characters already, this guards the document against older rows.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def render(root: str, content: dict[str, Any] | list[Any]) -> bytes:
    """The document `<root>…</root>` for a JSON-ready mapping or list, in UTF-8."""
    element = Element(root)
    _fill(element, content)
    return bytes(tostring(element, encoding="utf-8", xml_declaration=True))


def _fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(SubElement(element, key), item)
    elif isinstance(value, list):
        tag = ITEM_TAGS[element.tag]
        for item in value:
            _fill(SubElement(element, tag), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:  # None stays an empty element, as the standard's examples show
        element.text = _NOT_XML.sub("", str(value))
