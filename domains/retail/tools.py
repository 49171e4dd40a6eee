"""The retail domain's tools: what the support agent can look up and change.

Read tools return the stored records (as pydantic models, so the API graph knows their fields);
write tools check the policy's preconditions, refuse with `ToolError` when one fails, and
return the changed order or user. Every tool touches only the records it names: no scans over
users or orders.
"""

from __future__ import annotations

from domains.framework import Database, ToolError, tool
from domains.framework.shared_tools import calculate, transfer_to_human_agents
from domains.retail.models import (
    PENDING_STATUSES,
    Address,
    CancelReason,
    ExchangeDetails,
    FoundUser,
    GiftCard,
    Order,
    OrderItem,
    PaymentEvent,
    Product,
    ProductSummary,
    ReturnDetails,
    User,
    Variant,
)

# -- helpers ------------------------------------------------------------------------------


def _user(db: Database, user_id: str) -> User:
    return db.require("users", user_id, "user")


def _order(db: Database, order_id: str) -> Order:
    hint = "" if order_id.startswith("#") else " (order ids start with '#', like '#R1234567')"
    return db.require("orders", order_id, "order", hint)


def _product(db: Database, product_id: str) -> Product:
    return db.require("products", product_id, "product")


def _require_status(order: Order, allowed: tuple[str, ...], action: str) -> None:
    if order.status not in allowed:
        wanted = " or ".join(repr(s) for s in allowed)
        raise ToolError(f"order {order.order_id} is {order.status!r}: only {wanted} orders can be {action}")


def _payment_method(db: Database, user_id: str, payment_method_id: str):
    for method in _user(db, user_id).payment_methods:
        if method.payment_method_id == payment_method_id:
            return method
    raise ToolError(f"payment method {payment_method_id!r} is not on file for user {user_id}")


def _charged_method(db: Database, user_id: str, payment_method_id: str, amount: float, what: str):
    """The user's payment method for a charge of `amount`, which a gift card must cover in full."""
    method = _payment_method(db, user_id, payment_method_id)
    if amount > 0 and _is_gift_card(method) and method.balance < amount:
        raise ToolError(
            f"gift card {payment_method_id} has a balance of {method.balance:.2f}, less than the {what} {amount:.2f}"
        )
    return method


def _order_items(order: Order, item_ids: list[str]) -> list[OrderItem]:
    """The order's items with these ids, in the given order; refuses unknown or repeated ids."""
    if not item_ids:
        raise ToolError("item_ids must name at least one item of the order")
    if len(set(item_ids)) != len(item_ids):
        raise ToolError("item_ids must not repeat an item")
    by_id = {item.item_id: item for item in order.items}
    missing = [i for i in item_ids if i not in by_id]
    if missing:
        raise ToolError(f"order {order.order_id} has no item {', '.join(missing)}")
    return [by_id[i] for i in item_ids]


def _swaps(db: Database, order: Order, item_ids: list[str], new_item_ids: list[str]) -> tuple[list[tuple[OrderItem, Variant]], float]:
    """Pair each old item with its replacement variant; check the rules; the price difference."""
    old_items = _order_items(order, item_ids)
    if len(new_item_ids) != len(item_ids):
        raise ToolError(
            f"new_item_ids must have one new item per item in item_ids ({len(item_ids)}), got {len(new_item_ids)}"
        )
    pairs: list[tuple[OrderItem, Variant]] = []
    for old, new_id in zip(old_items, new_item_ids):
        product = _product(db, old.product_id)
        variant = product.variants.get(new_id)
        if variant is None:
            raise ToolError(
                f"item {new_id} is not a variant of {product.name} (product {product.product_id}): "
                "an item can only be replaced by another option of the same product"
            )
        if new_id == old.item_id:
            raise ToolError(f"new item {new_id} is the same as the item it replaces")
        if not variant.available:
            raise ToolError(f"item {new_id} ({product.name}, {_describe(variant.options)}) is not available")
        pairs.append((old, variant))
    replaced = set(item_ids)
    resulting = [i.item_id for i in order.items if i.item_id not in replaced] + list(new_item_ids)
    if len(set(resulting)) != len(resulting):
        raise ToolError("the order would contain the same item twice; choose different new items")
    diff = round(sum(v.price for _, v in pairs) - sum(o.price for o, _ in pairs), 2)
    return pairs, diff


def _describe(options: dict[str, str]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in options.items())


def _new_address(address1: str, address2: str, city: str, state: str, country: str, zip: str) -> Address:
    address = Address(
        address1=address1.strip(), address2=address2.strip(), city=city.strip(),
        state=state.strip(), country=country.strip(), zip=zip.strip(),
    )
    empty = [f for f in ("address1", "city", "state", "country", "zip") if not getattr(address, f)]
    if empty:
        raise ToolError(f"the address needs {', '.join(empty)}")
    return address


def _adjust_gift_card(user: User, payment_method_id: str, delta: float) -> None:
    """Add `delta` to a gift card's balance in this (edited) user record, if it is a gift card."""
    for method in user.payment_methods:
        if method.payment_method_id == payment_method_id and isinstance(method, GiftCard):
            method.balance = round(method.balance + delta, 2)


def _is_gift_card(method) -> bool:
    return isinstance(method, GiftCard)


# -- identifying the user -----------------------------------------------------------------


@tool("read")
def find_user_id_by_email(db: Database, email: str) -> FoundUser:
    """Find a user's id from their email address. Use it to authenticate the user.

    Args:
        email: The email address the user registered with, e.g. "olivia.martin12@example.com".
    """
    keys = db.find("users", email=email.strip().lower())
    if not keys:
        raise ToolError(f"no user found with email {email!r}")
    return FoundUser(user_id=keys[0])


@tool("read")
def find_user_id_by_name_zip(db: Database, first_name: str, last_name: str, zip: str) -> FoundUser:
    """Find a user's id from their full name and the zip code of their default address. Use it to authenticate the user when they do not remember their email.

    Args:
        first_name: The user's first name, e.g. "Olivia".
        last_name: The user's last name, e.g. "Martin".
        zip: The 5-digit zip code of the user's default address, e.g. "97205".
    """
    keys = db.find("users", first_name=first_name.strip().title(), last_name=last_name.strip().title())
    matches = [k for k in keys if db.view("users", k).address.zip == zip.strip()]
    if not matches:
        raise ToolError(f"no user found named {first_name} {last_name} with zip code {zip}")
    if len(matches) > 1:
        raise ToolError("several users match this name and zip code; identify the user by email instead")
    return FoundUser(user_id=matches[0])


# -- reading ------------------------------------------------------------------------------


@tool("read")
def get_user_details(db: Database, user_id: str) -> User:
    """Get a user's profile: name, email, default and saved addresses, payment methods (with gift card balances) and order ids.

    Args:
        user_id: The user's id, e.g. "olivia_martin_4821".
    """
    return _user(db, user_id)


@tool("read")
def get_order_details(db: Database, order_id: str) -> Order:
    """Get an order: status, items (with item and product ids, options and prices), shipping address, payments and refunds, shipments with tracking ids, and any cancellation, return or exchange.

    Args:
        order_id: The order id, starting with '#', e.g. "#R1234567".
    """
    return _order(db, order_id)


@tool("read")
def get_product_details(db: Database, product_id: str) -> Product:
    """Get a product type and all its variants (items): each variant's item id, options, price and availability.

    Args:
        product_id: The product id, e.g. "41023876" (order items and the product list show it).
    """
    return _product(db, product_id)


@tool("read")
def list_all_product_types(db: Database) -> list[ProductSummary]:
    """List every product type the store sells, with its product id and category, sorted by name."""
    products = (db.view("products", key) for key in db.keys("products"))
    return sorted(
        (ProductSummary(product_id=p.product_id, name=p.name, category=p.category) for p in products),
        key=lambda s: (s.name, s.product_id),
    )


# -- pending orders -------------------------------------------------------------------------


@tool("write")
def cancel_pending_order(db: Database, order_id: str, reason: CancelReason) -> Order:
    """Cancel a pending order. Every payment is refunded to the method it came from: gift cards at once, credit cards and PayPal within 5-7 business days.

    Args:
        order_id: The order id, e.g. "#R1234567".
        reason: Why the user cancels: "no longer needed", "ordered by mistake", "found a better price" or "shipping takes too long".
    """
    order = _order(db, order_id)
    _require_status(order, PENDING_STATUSES, "cancelled")
    order = db.edit("orders", order_id)
    net: dict[str, float] = {}
    for event in order.payment_history:
        sign = 1 if event.kind == "payment" else -1
        net[event.payment_method_id] = net.get(event.payment_method_id, 0.0) + sign * event.amount
    owner = db.view("users", order.user_id)
    gift_cards = {m.payment_method_id for m in owner.payment_methods if _is_gift_card(m)} if owner else set()
    gift_refunds: dict[str, float] = {}
    for method_id, amount in net.items():
        amount = round(amount, 2)
        if amount > 0:
            order.payment_history.append(PaymentEvent(kind="refund", payment_method_id=method_id, amount=amount))
            if method_id in gift_cards:
                gift_refunds[method_id] = amount
    order.status = "cancelled"
    order.cancel_reason = reason
    db.put("orders", order_id, order)
    if gift_refunds:
        user = db.edit("users", order.user_id)
        for method_id, amount in gift_refunds.items():
            _adjust_gift_card(user, method_id, amount)
        db.put("users", order.user_id, user)
    return order


@tool("write")
def modify_pending_order_address(
    db: Database, order_id: str, address1: str, address2: str, city: str, state: str, country: str, zip: str
) -> Order:
    """Change the shipping address of a pending order.

    Args:
        order_id: The order id, e.g. "#R1234567".
        address1: Street address, e.g. "1420 Maple Avenue".
        address2: Apartment, suite or unit; an empty string if none.
        city: City, e.g. "Portland".
        state: State code, e.g. "OR".
        country: Country, e.g. "USA".
        zip: Zip code, e.g. "97205".
    """
    order = _order(db, order_id)
    _require_status(order, PENDING_STATUSES, "modified")
    address = _new_address(address1, address2, city, state, country, zip)
    if address == order.address:
        raise ToolError(f"order {order_id} already ships to this address")
    order = db.edit("orders", order_id)
    order.address = address
    db.put("orders", order_id, order)
    return order


@tool("write")
def modify_pending_order_payment(db: Database, order_id: str, payment_method_id: str) -> Order:
    """Pay a pending order with another of the user's payment methods: the new method is charged the order total and the old one refunded (gift cards at once, cards and PayPal in 5-7 business days).

    Args:
        order_id: The order id, e.g. "#R1234567".
        payment_method_id: The new payment method, one of the user's, e.g. "credit_card_4829103" or "gift_card_1029384".
    """
    order = _order(db, order_id)
    if order.status == "pending (items modified)":
        raise ToolError(f"the items of order {order_id} were modified; its payment method can no longer be changed")
    _require_status(order, ("pending",), "modified")
    payments = [e for e in order.payment_history if e.kind == "payment"]
    if len(order.payment_history) != 1 or len(payments) != 1:
        raise ToolError(f"order {order_id} has more than one payment; its payment method cannot be changed")
    old = payments[0]
    if old.payment_method_id == payment_method_id:
        raise ToolError(f"order {order_id} is already paid with {payment_method_id}")
    _charged_method(db, order.user_id, payment_method_id, old.amount, "order total")
    order = db.edit("orders", order_id)
    order.payment_history.append(PaymentEvent(kind="payment", payment_method_id=payment_method_id, amount=old.amount))
    order.payment_history.append(PaymentEvent(kind="refund", payment_method_id=old.payment_method_id, amount=old.amount))
    db.put("orders", order_id, order)
    gift_cards = {m.payment_method_id for m in _user(db, order.user_id).payment_methods if _is_gift_card(m)}
    if {payment_method_id, old.payment_method_id} & gift_cards:
        user = db.edit("users", order.user_id)
        _adjust_gift_card(user, payment_method_id, -old.amount)
        _adjust_gift_card(user, old.payment_method_id, old.amount)
        db.put("users", order.user_id, user)
    return order


@tool("write", discovers={"new_item_ids": "item_id"})
def modify_pending_order_items(
    db: Database, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
) -> Order:
    """Replace items of a pending order by other available variants of the same products (e.g. another size or color). This can be done only once per order, so all items to change must be in one call. The price difference is charged to, or refunded to, the chosen payment method.

    Args:
        order_id: The order id, e.g. "#R1234567".
        item_ids: The ids of the order's items to replace, e.g. ["1008292230"].
        new_item_ids: The ids of the new items, one per item in item_ids and in the same position, each a variant of the same product.
        payment_method_id: One of the user's payment methods, charged or refunded the price difference; a gift card must cover a charge.
    """
    order = _order(db, order_id)
    if order.status == "pending (items modified)":
        raise ToolError(f"the items of order {order_id} were already modified once; they cannot be modified again")
    _require_status(order, ("pending",), "modified")
    pairs, diff = _swaps(db, order, item_ids, new_item_ids)
    method = _charged_method(db, order.user_id, payment_method_id, diff, "price difference")
    order = db.edit("orders", order_id)
    replacement = {old.item_id: variant for old, variant in pairs}
    for item in order.items:
        variant = replacement.get(item.item_id)
        if variant is not None:
            item.item_id, item.options, item.price = variant.item_id, dict(variant.options), variant.price
    if diff != 0:
        kind = "payment" if diff > 0 else "refund"
        order.payment_history.append(PaymentEvent(kind=kind, payment_method_id=payment_method_id, amount=abs(diff)))
        if _is_gift_card(method):
            user = db.edit("users", order.user_id)
            _adjust_gift_card(user, payment_method_id, -diff)
            db.put("users", order.user_id, user)
    order.status = "pending (items modified)"
    db.put("orders", order_id, order)
    return order


@tool("write")
def modify_user_address(
    db: Database, user_id: str, address1: str, address2: str, city: str, state: str, country: str, zip: str
) -> User:
    """Change a user's default address (used for new orders; existing orders keep their address).

    Args:
        user_id: The user's id, e.g. "olivia_martin_4821".
        address1: Street address, e.g. "1420 Maple Avenue".
        address2: Apartment, suite or unit; an empty string if none.
        city: City, e.g. "Portland".
        state: State code, e.g. "OR".
        country: Country, e.g. "USA".
        zip: Zip code, e.g. "97205".
    """
    user = _user(db, user_id)
    address = _new_address(address1, address2, city, state, country, zip)
    if address == user.address:
        raise ToolError(f"this is already the default address of user {user_id}")
    user = db.edit("users", user_id)
    user.address = address
    db.put("users", user_id, user)
    return user


# -- delivered orders -----------------------------------------------------------------------


@tool("write")
def return_delivered_order_items(db: Database, order_id: str, item_ids: list[str], payment_method_id: str) -> Order:
    """Request the return of items of a delivered order. The user gets return instructions by email; the refund goes to the order's original payment method or to one of the user's gift cards once the items arrive. One return or exchange per order, so all items must be in one call.

    Args:
        order_id: The order id, e.g. "#R1234567".
        item_ids: The ids of the items to return, e.g. ["1008292230", "4920193847"].
        payment_method_id: Where the refund goes: the payment method the order was paid with, or one of the user's gift cards.
    """
    order = _order(db, order_id)
    _require_status(order, ("delivered",), "returned")
    items = _order_items(order, item_ids)
    method = _payment_method(db, order.user_id, payment_method_id)
    original = order.payment_history[0].payment_method_id if order.payment_history else None
    if payment_method_id != original and not _is_gift_card(method):
        raise ToolError(
            f"a refund can go only to the order's original payment method ({original}) or to one of the user's gift cards"
        )
    order = db.edit("orders", order_id)
    order.status = "return requested"
    order.return_details = ReturnDetails(
        item_ids=list(item_ids), payment_method_id=payment_method_id, refund_amount=round(sum(i.price for i in items), 2)
    )
    db.put("orders", order_id, order)
    return order


@tool("write", discovers={"new_item_ids": "item_id"})
def exchange_delivered_order_items(
    db: Database, order_id: str, item_ids: list[str], new_item_ids: list[str], payment_method_id: str
) -> Order:
    """Request an exchange of items of a delivered order for other available variants of the same products. The user gets instructions by email; the price difference is charged to, or refunded to, the chosen payment method when the returned items arrive. One return or exchange per order, so all items must be in one call.

    Args:
        order_id: The order id, e.g. "#R1234567".
        item_ids: The ids of the items to exchange, e.g. ["1008292230"].
        new_item_ids: The ids of the new items, one per item in item_ids and in the same position, each a variant of the same product.
        payment_method_id: One of the user's payment methods, charged or refunded the price difference; a gift card must cover a charge.
    """
    order = _order(db, order_id)
    _require_status(order, ("delivered",), "exchanged")
    _, diff = _swaps(db, order, item_ids, new_item_ids)
    _charged_method(db, order.user_id, payment_method_id, diff, "price difference")
    order = db.edit("orders", order_id)
    order.status = "exchange requested"
    order.exchange_details = ExchangeDetails(
        item_ids=list(item_ids), new_item_ids=list(new_item_ids), payment_method_id=payment_method_id,
        price_difference=diff,
    )
    db.put("orders", order_id, order)
    return order


READ_TOOLS = [
    find_user_id_by_email,
    find_user_id_by_name_zip,
    get_user_details,
    get_order_details,
    get_product_details,
    list_all_product_types,
    calculate,
    transfer_to_human_agents,
]
WRITE_TOOLS = [
    cancel_pending_order,
    modify_pending_order_address,
    modify_pending_order_payment,
    modify_pending_order_items,
    modify_user_address,
    return_delivered_order_items,
    exchange_delivered_order_items,
]
TOOLS = READ_TOOLS + WRITE_TOOLS
