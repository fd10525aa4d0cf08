"""The served dashboard and its REST API (``/api/v1/``) over the functions the CLI uses."""

from .app import (
    create_app as create_app,
)
from .security import (
    ensure_token as ensure_token,
)
from .security import (
    is_loopback as is_loopback,
)
from .serve import (
    DashboardServer as DashboardServer,
)
from .serve import (
    dashboard_url as dashboard_url,
)
