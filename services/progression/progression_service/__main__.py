"""`python -m progression_service <role>`: the roles are in `myokine.service_cli`."""

import sys

from myokine.metrics_dir import prepare_metrics_dir

# Before anything imports prometheus_client: it picks where metrics live on import.
prepare_metrics_dir(sys.argv)

from myokine.service_cli import main  # noqa: E402
from progression_service.bootstrap import bootstrap  # noqa: E402

main(bootstrap().runtime, app_factory="progression_service.main:create_app")
