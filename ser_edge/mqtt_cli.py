"""Command-line glue for the MQTT sink: the ``--mqtt`` options of ``ser-edge listen``."""

from __future__ import annotations

from typing import Any

from .mqtt import MqttSink
from .mqtt_config import MqttError, MqttOptions, url_argument


def add_mqtt_options(parser: Any) -> None:
    """Add ``--mqtt URL``, ``--ha-discovery``, ``--mqtt-ca/--mqtt-cert/--mqtt-key``,
    ``--mqtt-client-id`` to an argparse parser (``ser-edge listen``)."""
    g = parser.add_argument_group("MQTT output (pip install 'ser-edge[mqtt]')")
    g.add_argument("--mqtt", metavar="URL", type=url_argument,
                   help="publish events to mqtt[s]://[user[:pass]@]host[:port]/base/topic; the "
                        "SER_EDGE_MQTT_USERNAME/SER_EDGE_MQTT_PASSWORD variables keep credentials "
                        "off the command line")
    g.add_argument("--ha-discovery", action="store_true",
                   help="announce the emotion sensor to Home Assistant (MQTT discovery)")
    g.add_argument("--mqtt-ca", metavar="PEM", help="CA certificate(s) for mqtts:// (default: the system's)")
    g.add_argument("--mqtt-cert", metavar="PEM", help="client certificate for mqtts://")
    g.add_argument("--mqtt-key", metavar="PEM", help="client private key for mqtts://")
    g.add_argument("--mqtt-client-id", metavar="ID", help="MQTT client id (default: ser-edge-<random>)")


def sink_from_args(args: Any) -> MqttSink | None:
    """The :class:`MqttSink` the parsed options ask for, or None without ``--mqtt``."""
    url = getattr(args, "mqtt", None)
    names = ("ha_discovery", "mqtt_ca", "mqtt_cert", "mqtt_key", "mqtt_client_id")
    extra = {"--" + name.replace("_", "-"): getattr(args, name, None) for name in names}
    if url is None:
        given = [flag for flag, value in extra.items() if value]
        if given:
            raise MqttError(f"{', '.join(given)} need --mqtt URL")
        return None
    options = MqttOptions(client_id=args.mqtt_client_id, ca_file=args.mqtt_ca, cert_file=args.mqtt_cert,
                          key_file=args.mqtt_key, ha_discovery=args.ha_discovery)
    return MqttSink(url, options)
