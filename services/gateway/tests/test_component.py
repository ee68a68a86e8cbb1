"""The gateway's bus subscriptions are its own component, with stable consumer groups.

Each gateway process ends its own sockets, so it needs every revocation: its group is
named after the process's stable instance id (never random per start, which would leave
an abandoned Kafka group behind each restart). Live pushes share one group when Redis
fans the emit out, else one per process.
"""

from __future__ import annotations

from typing import Any

import pytest

from burency_common.events.auth import AUTH_TOKENS_REVOKED
from burency_common.events.notifications import NOTIFICATION_IN_APP_CREATED
from burency_gateway.component import GatewayComponent, gateway_instance_id, subscribe_gateway


class RecordingBus:
    """Records subscriptions (the component only subscribes before the bus starts)."""

    def __init__(self) -> None:
        self.groups: dict[str, str] = {}

    def subscribe(self, topic: str, *, group: str, handler: Any, retry: Any = None) -> None:
        assert callable(handler)
        self.groups[topic] = group


def test_instance_id_is_explicit_or_host_and_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BURENCY_INSTANCE_ID", "  gw-pod-7 ")
    assert gateway_instance_id() == "gw-pod-7"
    monkeypatch.delenv("BURENCY_INSTANCE_ID")
    monkeypatch.setenv("BURENCY_PORT", "8123")
    first, again = gateway_instance_id(), gateway_instance_id()
    assert first == again  # the same after a restart
    assert first.endswith("-8123")


@pytest.mark.parametrize(
    ("shared_store", "live_group"), [(True, "gateway-live"), (False, "gateway-live-gw-1")]
)
def test_consumer_groups(shared_store: bool, live_group: str) -> None:
    bus = RecordingBus()
    component = subscribe_gateway(
        bus,  # type: ignore[arg-type]
        gateway=None,  # type: ignore[arg-type]  # handlers are not called here
        shared_store=shared_store,
        instance_id="gw-1",
    )
    assert isinstance(component, GatewayComponent)
    assert bus.groups == {
        AUTH_TOKENS_REVOKED: "gateway-gw-1",
        NOTIFICATION_IN_APP_CREATED: live_group,
    }
