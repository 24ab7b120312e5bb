"""Home Assistant MQTT discovery: the retained configs that make the emotion, arousal and valence
sensors of one device.

Home Assistant reads ``<prefix>/sensor/<node_id>/<sensor>/config`` (retained) for each sensor:
``emotion``, whose state is the label of ``<base>/state`` and whose attributes are its confidence
and scores; ``arousal`` and ``valence``, numbers in [0, 1] (state class ``measurement``, so Home
Assistant keeps their statistics) read from the same payload. All are available while
``<base>/availability`` is ``online``. No YAML is needed. Pure functions only: nothing here
talks to a broker.
"""

from __future__ import annotations

import re

DEFAULT_PREFIX = "homeassistant"
ONLINE, OFFLINE = "online", "offline"
ICON = "mdi:emoticon-outline"

#: The fields of the retained ``<base>/state`` payload (the latest event's).
STATE_KEYS = ("label", "confidence", "scores", "arousal", "valence", "time")
#: Jinja templates Home Assistant applies to the JSON on ``<base>/state``.
VALUE_TEMPLATE = "{{ value_json.label }}"
ATTRIBUTES_TEMPLATE = (
    "{{ {'confidence': value_json.confidence, 'scores': value_json.scores, "
    "'time': value_json.time} | tojson }}"
)
#: The dimension sensors: field of the state payload -> (entity name, icon). Their template
#: renders a JSON null as ``None``, which Home Assistant shows as unknown.
DIMENSION_SENSORS = {
    "arousal": ("Arousal", "mdi:lightning-bolt-outline"),  # calm 0 .. aroused 1
    "valence": ("Valence", "mdi:thumbs-up-down-outline"),  # negative 0 .. positive 1
}


def topics(base: str) -> dict[str, str]:
    """The sink's topics under ``base``: event, state, availability, summary."""
    return {name: f"{base}/{name}" for name in ("event", "state", "availability", "summary")}


def node_id_for(base: str) -> str:
    """A Home Assistant node id from a base topic: ``"home/ser_edge"`` -> ``"home_ser_edge"``.

    Discovery ids may hold only ``[A-Za-z0-9_-]``; anything else becomes ``_``.
    """
    node = re.sub(r"[^A-Za-z0-9_-]+", "_", base).strip("_")
    return node or "ser_edge"


def discovery_topic(node_id: str, prefix: str = DEFAULT_PREFIX, sensor: str = "emotion") -> str:
    """Where a sensor's config goes: ``<prefix>/sensor/<node_id>/<sensor>/config``."""
    return f"{prefix}/sensor/{node_id}/{sensor}/config"


def sensor_base(base: str, node_id: str, version: str, sensor: str) -> dict[str, object]:
    """What every sensor's config shares: its ids (``<node_id>_<sensor>``), the state and
    availability topics, and the device all three belong to."""
    names = topics(base)
    return {
        "unique_id": f"{node_id}_{sensor}",
        "object_id": f"{node_id}_{sensor}",
        "state_topic": names["state"],
        "availability_topic": names["availability"],
        "payload_available": ONLINE,
        "payload_not_available": OFFLINE,
        "device": {
            "identifiers": [node_id],
            "name": f"ser-edge {node_id}",
            "manufacturer": "ser-edge",
            "model": "speech emotion recognition",
            "sw_version": version,
        },
        "origin": {"name": "ser-edge", "sw_version": version},
    }


def discovery_config(base: str, node_id: str, version: str, name: str = "Emotion") -> dict[str, object]:
    """The discovery payload (a JSON object) for the emotion sensor of the sink at ``base``.

    ``version`` is the ser-edge version shown on the device page; ``name`` the entity name.
    """
    return {
        "name": name,
        **sensor_base(base, node_id, version, "emotion"),
        "value_template": VALUE_TEMPLATE,
        "json_attributes_topic": topics(base)["state"],
        "json_attributes_template": ATTRIBUTES_TEMPLATE,
        "icon": ICON,
    }


def dimension_config(base: str, node_id: str, version: str, dimension: str) -> dict[str, object]:
    """The discovery payload of the ``arousal`` or ``valence`` sensor (a key of
    :data:`DIMENSION_SENSORS`): a unit-less measurement in [0, 1] shown with 2 decimals."""
    name, icon = DIMENSION_SENSORS[dimension]
    return {
        "name": name,
        **sensor_base(base, node_id, version, dimension),
        "value_template": f"{{{{ value_json.{dimension} }}}}",
        "state_class": "measurement",
        "suggested_display_precision": 2,
        "icon": icon,
    }


def discovery_configs(base: str, node_id: str, version: str,
                      prefix: str = DEFAULT_PREFIX) -> dict[str, dict[str, object]]:
    """Every sensor's discovery topic -> its config: emotion, arousal, valence."""
    configs = {discovery_topic(node_id, prefix): discovery_config(base, node_id, version)}
    for dim in DIMENSION_SENSORS:
        configs[discovery_topic(node_id, prefix, dim)] = dimension_config(base, node_id, version, dim)
    return configs
