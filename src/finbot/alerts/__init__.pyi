"""Alerts: rules over what finbot records, a gate (cool-down, de-duplication, quiet hours),
messages in French or English, and apprise channels fed from a bounded queue."""

from .channels import (
    DeliveryFailed as DeliveryFailed,
)
from .channels import (
    check_url as check_url,
)
from .channels import (
    deliver as deliver,
)
from .checks import (
    AlertRun as AlertRun,
)
from .checks import (
    bot_stopped as bot_stopped,
)
from .checks import (
    check_alerts as check_alerts,
)
from .checks import (
    send_digest as send_digest,
)
from .dispatcher import (
    AlertDispatcher as AlertDispatcher,
)
from .dispatcher import (
    Outgoing as Outgoing,
)
from .history import (
    AlertCounts as AlertCounts,
)
from .history import (
    AlertLog as AlertLog,
)
from .messages import (
    Alert as Alert,
)
from .messages import (
    AlertKind as AlertKind,
)
from .messages import (
    render as render,
)
from .rules import (
    probe_alert as probe_alert,
)

__all__ = [
    "Alert",
    "AlertCounts",
    "AlertDispatcher",
    "AlertKind",
    "AlertLog",
    "AlertRun",
    "DeliveryFailed",
    "Outgoing",
    "bot_stopped",
    "check_alerts",
    "check_url",
    "deliver",
    "probe_alert",
    "render",
    "send_digest",
]
