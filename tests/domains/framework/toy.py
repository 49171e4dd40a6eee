"""A tiny domain (users and orders) that exercises the framework without a built-in domain."""

from __future__ import annotations

import random
from typing import Literal

from pydantic import BaseModel

from domains.framework import Database, Domain, Tables, ToolError, tool
from domains.framework.policy import AuthenticatedBeforeAccess, ConfirmedBeforeWrite, Policy
from domains.framework.sampling import Scenario


class User(BaseModel):
    user_id: str
    email: str
    order_ids: list[str]


class Order(BaseModel):
    order_id: str
    user_id: str
    status: Literal["pending", "delivered", "cancelled"]
    total: float


class UserDetails(BaseModel):
    user_id: str
    email: str
    order_ids: list[str]


@tool("read")
def find_user_id_by_email(db: Database, email: str) -> str:
    """Find a user's id from their email.

    Args:
        email: The user's email address.
    """
    keys = db.find("users", email=email)
    if not keys:
        raise ToolError(f"no user with email {email}")
    return keys[0]


@tool("read")
def get_user_details(db: Database, user_id: str) -> UserDetails:
    """Get a user's profile and order ids.

    Args:
        user_id: The user's id.
    """
    return UserDetails(**db.require("users", user_id, "user").model_dump())


@tool("read")
def get_order_details(db: Database, order_id: str) -> Order:
    """Get an order.

    Args:
        order_id: The order id, like "#O1".
    """
    return db.require("orders", order_id, "order")


@tool("write")
def cancel_order(db: Database, order_id: str, reason: Literal["no longer needed", "ordered by mistake"]) -> Order:
    """Cancel a pending order.

    Args:
        order_id: The order id.
        reason: Why the user cancels.
    """
    current = db.require("orders", order_id, "order")
    if current.status != "pending":
        raise ToolError(f"order {order_id} is {current.status}; only pending orders can be cancelled")
    order = db.edit("orders", order_id)
    order.status = "cancelled"
    db.put("orders", order_id, order)
    return order


def make_tables(n_users: int = 20) -> Tables:
    users, orders = {}, {}
    for u in range(n_users):
        uid = f"user_{u}"
        oids = [f"#O{u}_{k}" for k in range(3)]
        users[uid] = User(user_id=uid, email=f"u{u}@example.com", order_ids=oids)
        for k, oid in enumerate(oids):
            orders[oid] = Order(order_id=oid, user_id=uid, status="pending" if k != 1 else "delivered", total=10.0 + k)
    return Tables({"users": User, "orders": Order}, {"users": users, "orders": orders})


def _cancel(db: Database, user_id: str, rng: random.Random):
    user = db.view("users", user_id)
    pending = [o for o in user.order_ids if db.view("orders", o).status == "pending"]
    if not pending:
        return None
    return [("cancel_order", {"order_id": rng.choice(pending), "reason": "no longer needed"})]


def _owner(db: Database, name: str, args: dict) -> str | None:
    if "user_id" in args:
        return args["user_id"]
    if "order_id" in args:
        order = db.view("orders", args["order_id"])
        return order.user_id if order else None
    return None


def build_toy(tables: Tables | None = None) -> Domain:
    tools = [find_user_id_by_email, get_user_details, get_order_details, cancel_order]
    tabs = tables or make_tables()
    return Domain(
        name="toy",
        description="users and orders",
        tools=tools,
        load_tables=lambda: tabs,
        policy=Policy(
            text="# Toy policy\nAuthenticate by email. Confirm before cancelling.",
            preconditions=["only pending orders can be cancelled"],
            rules=[
                AuthenticatedBeforeAccess({"find_user_id_by_email"}, _owner),
                ConfirmedBeforeWrite({"cancel_order"}),
            ],
        ),
        user_table="users",
        auth_tools={"find_user_id_by_email"},
        auth_call=lambda db, uid, rng: ("find_user_id_by_email", {"email": db.view("users", uid).email}),
        scenarios=[Scenario("cancel", _cancel)],
        user_context=lambda db, uid: {"user": db.view("users", uid).model_dump()},
    )
