"""The notification service in a process of its own, configured by ``BURENCY_*``
environment variables: the kill tests SIGKILL it mid-broadcast.

``python -m notifications_testing.fanout_proc`` prints ``ready`` once started.
"""

from __future__ import annotations

from burency_testing.component_process import main as serve_component


def main() -> None:
    serve_component(
        [
            "burency_notifications.component:build_component",
            "burency_notifications.settings:NotificationsSettings",
        ]
    )


if __name__ == "__main__":
    main()
