"""Record types of the retail database and the models its tools return.

Three tables: `users` (keyed by user_id), `products` (keyed by product_id, each with its
variants keyed by item_id) and `orders` (keyed by order_id, like "#R1234567"). Field names are
shared across models on purpose (`user_id`, `order_id`, `order_ids`, `item_id`, `product_id`,
`payment_method_id`): the API graph links tools through them.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, Field

OrderStatus = Literal[
    "pending",
    "pending (items modified)",
    "processed",
    "delivered",
    "cancelled",
    "return requested",
    "exchange requested",
]
PENDING_STATUSES = ("pending", "pending (items modified)")

CancelReason = Literal["no longer needed", "ordered by mistake", "found a better price", "shipping takes too long"]
CANCEL_REASONS: tuple[str, ...] = CancelReason.__args__  # type: ignore[attr-defined]


class Address(BaseModel):
    address1: str
    address2: str
    city: str
    state: str
    country: str
    zip: str


class CreditCard(BaseModel):
    source: Literal["credit_card"] = "credit_card"
    payment_method_id: str
    brand: str
    last_four: str


class GiftCard(BaseModel):
    source: Literal["gift_card"] = "gift_card"
    payment_method_id: str
    balance: float


class PayPal(BaseModel):
    source: Literal["paypal"] = "paypal"
    payment_method_id: str
    email: str


PaymentMethod = Annotated[Union[CreditCard, GiftCard, PayPal], Field(discriminator="source")]


class User(BaseModel):
    user_id: str
    first_name: str
    last_name: str
    email: str
    address: Address  # the default shipping address; its zip is used to identify the user
    saved_addresses: list[Address]  # other addresses the user has shipped to
    payment_methods: list[PaymentMethod]
    order_ids: list[str]


class Variant(BaseModel):
    item_id: str
    options: dict[str, str]
    price: float
    available: bool


class Product(BaseModel):
    product_id: str
    name: str
    category: str
    variants: dict[str, Variant]  # by item_id


class OrderItem(BaseModel):
    item_id: str
    product_id: str
    name: str
    options: dict[str, str]
    price: float


class PaymentEvent(BaseModel):
    kind: Literal["payment", "refund"]
    payment_method_id: str
    amount: float


class Fulfilment(BaseModel):
    tracking_id: str
    carrier: str
    item_ids: list[str]


class ReturnDetails(BaseModel):
    item_ids: list[str]
    payment_method_id: str  # where the refund goes once the items are received
    refund_amount: float


class ExchangeDetails(BaseModel):
    item_ids: list[str]
    new_item_ids: list[str]
    payment_method_id: str  # charged (or refunded) the price difference
    price_difference: float  # new minus old; negative means the user gets money back


class Order(BaseModel):
    order_id: str
    user_id: str
    placed_on: str  # ISO date
    status: OrderStatus
    address: Address
    items: list[OrderItem]
    payment_history: list[PaymentEvent]
    fulfilments: list[Fulfilment]
    cancel_reason: CancelReason | None
    return_details: ReturnDetails | None
    exchange_details: ExchangeDetails | None


MODELS = {"users": User, "products": Product, "orders": Order}


# -- tool outputs -------------------------------------------------------------------------
class FoundUser(BaseModel):
    user_id: str


class ProductSummary(BaseModel):
    product_id: str
    name: str
    category: str

