"""HTTP building blocks shared by every service: the app factory, middleware, problem handlers."""

from burency_common.web.app import ReadinessCheck, bus_check, create_service_app, database_check
from burency_common.web.client import client_ip
from burency_common.web.middleware import RequestContextMiddleware, ServiceMetrics
from burency_common.web.problems import install_problem_handlers, problem_response

__all__ = [
    "ReadinessCheck",
    "RequestContextMiddleware",
    "ServiceMetrics",
    "bus_check",
    "client_ip",
    "create_service_app",
    "database_check",
    "install_problem_handlers",
    "problem_response",
]
