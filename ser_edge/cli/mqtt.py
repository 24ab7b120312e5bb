"""``listen``'s MQTT output on the command line: ``--mqtt URL`` and its options, the sink they
make, and what the exit status says about delivery (docs/iot.md).

paho-mqtt (the ``mqtt`` extra) is imported only when ``--mqtt`` is given.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .common import UsageError, flags_verb, log

if TYPE_CHECKING:
    from ..sinks.config import MqttOptions, MqttUrl
    from ..sinks.mqtt import MqttSink

#: The options that need ``--mqtt`` (argparse attribute names).
MQTT_ONLY = ("ha_discovery", "mqtt_ca", "mqtt_cert", "mqtt_key", "mqtt_client_id")


def url_argument(text: str) -> MqttUrl:
    """argparse ``type=`` for ``--mqtt``: a usage error (exit 2) that shows no password."""
    from ..sinks.config import MqttError, MqttUrl

    try:
        return MqttUrl.parse(text)
    except MqttError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_mqtt_options(parser: argparse.ArgumentParser) -> None:
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


def mqtt_options(args: argparse.Namespace) -> MqttOptions | None:
    """The :class:`~ser_edge.sinks.config.MqttOptions` of the parsed options, None without
    ``--mqtt``; :class:`UsageError` for an MQTT option without ``--mqtt``, a missing PEM file,
    TLS files with an ``mqtt://`` URL."""
    from ..sinks.config import MqttError, MqttOptions

    if args.mqtt is None:
        given = {"--" + name.replace("_", "-") for name in MQTT_ONLY if getattr(args, name, None)}
        if given:
            raise UsageError(f"listen: {flags_verb(given, 'need')} --mqtt URL")
        return None
    try:
        options = MqttOptions(client_id=args.mqtt_client_id, ca_file=args.mqtt_ca, cert_file=args.mqtt_cert,
                              key_file=args.mqtt_key, ha_discovery=args.ha_discovery)
    except MqttError as exc:
        raise UsageError(f"listen: {exc}") from None
    if (args.mqtt_ca or args.mqtt_cert or args.mqtt_key) and not args.mqtt.tls:
        raise UsageError(f"listen: --mqtt-ca/--mqtt-cert/--mqtt-key need an mqtts:// URL, got {args.mqtt}")
    return options


def sink_from_args(args: argparse.Namespace) -> MqttSink | None:
    """The :class:`~ser_edge.sinks.mqtt.MqttSink` the parsed options ask for, or None without ``--mqtt``."""
    from ..sinks.mqtt import MqttSink

    options = mqtt_options(args)
    return None if options is None else MqttSink(args.mqtt, options)


def delivered(mqtt: MqttSink) -> bool:
    """Report what the MQTT sink delivered (after close); False when the broker was never
    reached or an event was lost."""
    stats = mqtt.stats
    (log.info if stats.delivered else log.warning)("mqtt: %s", stats.describe(mqtt.url))
    return stats.delivered
