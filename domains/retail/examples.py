"""Hand-written example blueprints on the shipped data (seed 0), shown to the blueprint generator.

Without them a model sees only the field descriptions, and a small one fills `outputs` with
whole tool results. Each one is replayed by the tests: every action succeeds, the policy's
action rules hold, and every output appears in what the tools returned.
"""

from __future__ import annotations

from typing import Any

EXAMPLES: list[dict[str, Any]] = [
    {
        "instruction": (
            "You are Aaliyah Patel, zip code 94668. You ordered a vacuum cleaner and a blender last week "
            "(order #R9114503) and no longer want to wait for them: shipping takes too long. Cancel the whole "
            "order and ask how much goes back to your card. You do not remember your email address."
        ),
        "actions": [
            {"name": "find_user_id_by_name_zip", "arguments": {"first_name": "Aaliyah", "last_name": "Patel", "zip": "94668"}},
            {"name": "get_order_details", "arguments": {"order_id": "#R9114503"}},
            {"name": "cancel_pending_order", "arguments": {"order_id": "#R9114503", "reason": "shipping takes too long"}},
        ],
        "outputs": ["458.21"],
    },
    {
        "instruction": (
            "You are Bashir Costa (email bashir.costa919@mail.example.com). The camping tent you received in "
            "order #R7846652 is too big for your car. Return it, with the refund on the gift card you paid "
            "with, and ask how much you will get back. You are polite and a little apologetic."
        ),
        "actions": [
            {"name": "find_user_id_by_email", "arguments": {"email": "bashir.costa919@mail.example.com"}},
            {"name": "get_order_details", "arguments": {"order_id": "#R7846652"}},
            {"name": "return_delivered_order_items", "arguments": {
                "order_id": "#R7846652", "item_ids": ["5134236841"], "payment_method_id": "gift_card_6182219"}},
        ],
        "outputs": ["336.6"],
    },
    {
        "instruction": (
            "You are Victor Stewart, zip code 05429. Your pending order #R7218115 is going to an old address "
            "in Austin. Have it shipped to your home address instead: 2646 Lincoln Street, Burlington, VT "
            "05429, USA. Give the address only when asked for it."
        ),
        "actions": [
            {"name": "find_user_id_by_name_zip", "arguments": {"first_name": "Victor", "last_name": "Stewart", "zip": "05429"}},
            {"name": "get_order_details", "arguments": {"order_id": "#R7218115"}},
            {"name": "modify_pending_order_address", "arguments": {
                "order_id": "#R7218115", "address1": "2646 Lincoln Street", "address2": "", "city": "Burlington",
                "state": "VT", "country": "USA", "zip": "05429"}},
        ],
        "outputs": [],
    },
]
