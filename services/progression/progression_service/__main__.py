"""`python -m progression_service api|worker|relay|migrate`."""

from myokine.service_cli import main
from progression_service.main import runtime

main(runtime, app_factory="progression_service.main:create_app")
