"""`python -m gateway_service api|worker|relay|migrate|...`."""

from gateway_service.bootstrap import bootstrap
from myokine.service_cli import main

main(bootstrap().runtime, app_factory="gateway_service.main:create_app")
