"""The kinds of tasks of each BFCL API class, for the chain sampler (see `common.py`)."""

from __future__ import annotations

from domains.adapters.bfcl.scenarios import filesystem, math, message, ticket, trading, travel, twitter, vehicle
from domains.framework.sampling import Scenario

BY_CLASS: dict[str, list[Scenario]] = {
    "GorillaFileSystem": filesystem.SCENARIOS,
    "MathAPI": math.SCENARIOS,
    "MessageAPI": message.SCENARIOS,
    "TicketAPI": ticket.SCENARIOS,
    "TradingBot": trading.SCENARIOS,
    "TravelAPI": travel.SCENARIOS,
    "TwitterAPI": twitter.SCENARIOS,
    "VehicleControlAPI": vehicle.SCENARIOS,
}
