"""Home Assistant MQTT discovery: the retained config that makes the emotion a sensor.

Home Assistant reads ``<prefix>/sensor/<node_id>/emotion/config`` (retained) and creates a
sensor whose state is the label of ``<base>/state`` and whose attributes are its confidence
and scores, available while ``<base>/availability`` is ``online``. No YAML is needed.
Pure functions only: nothing here talks to a broker.
"""

from __future__ import annotations

import re

DEFAULT_PREFIX = "homeassistant"
ONLINE, OFFLINE = "online", "offline"
ICON = "mdi:emoticon-outline"

#: Jinja templates Home Assistant applies to the JSON on ``<base>/state``.
VALUE_TEMPLATE = "{{ value_json.label }}"
ATTRIBUTES_TEMPLATE = (
    "{{ {'confidence': value_json.confidence, 'scores': value_json.scores, "
    "'time': value_json.time} | tojson }}"
)


def topics(base: str) -> dict[str, str]:
    """The sink's topics under ``base``: event, state, availability, summary."""
    return {name: f"{base}/{name}" for name in ("event", "state", "availability", "summary")}


def node_id_for(base: str) -> str:
    """A Home Assistant node id from a base topic: ``"home/ser_edge"`` -> ``"home_ser_edge"``.

    Discovery ids may hold only ``[A-Za-z0-9_-]``; anything else becomes ``_``.
    """
    node = re.sub(r"[^A-Za-z0-9_-]+", "_", base).strip("_")
    return node or "ser_edge"


def discovery_topic(node_id: str, prefix: str = DEFAULT_PREFIX) -> str:
    """Where the sensor's config goes: ``<prefix>/sensor/<node_id>/emotion/config``."""
    return f"{prefix}/sensor/{node_id}/emotion/config"


def discovery_config(base: str, node_id: str, version: str, name: str = "Emotion") -> dict[str, object]:
    """The discovery payload (a JSON object) for the emotion sensor of the sink at ``base``.

    ``version`` is the ser-edge version shown on the device page; ``name`` the entity name.
    """
    names = topics(base)
    return {
        "name": name,
        "unique_id": f"{node_id}_emotion",
        "object_id": f"{node_id}_emotion",
        "state_topic": names["state"],
        "value_template": VALUE_TEMPLATE,
        "json_attributes_topic": names["state"],
        "json_attributes_template": ATTRIBUTES_TEMPLATE,
        "availability_topic": names["availability"],
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        "icon": ICON,
        "device": {
            "identifiers": [node_id],
            "name": f"ser-edge {node_id}",
            "manufacturer": "ser-edge",
            "model": "speech emotion recognition",
            "sw_version": version,
        },
        "origin": {"name": "ser-edge", "sw_version": version},
    }
