"""`python -m progression_service api|worker|relay|migrate`."""

from myokine.service_cli import main
from progression_service.bootstrap import bootstrap

main(bootstrap().runtime, app_factory="progression_service.main:create_app")
