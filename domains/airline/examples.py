"""Hand-written example blueprints on the shipped data (seed 0), shown to the blueprint generator.

Each one is replayed by the tests: every action succeeds, the policy's action rules hold, and
every output appears in what the tools returned.
"""

from __future__ import annotations

from typing import Any

EXAMPLES: list[dict[str, Any]] = [
    {
        "instruction": (
            "You are Hiroshi Walker (user id hiroshi_walker_8811). You fly from Atlanta to Los Angeles on May 27 "
            "with two companions (reservation 7RT030) and want to check one more bag, four in total. Ask what it "
            "costs before agreeing; pay any fee with your Amex. You are friendly but in a hurry."
        ),
        "actions": [
            {"name": "get_user_details", "arguments": {"user_id": "hiroshi_walker_8811"}},
            {"name": "get_reservation_details", "arguments": {"reservation_id": "7RT030"}},
            {"name": "calculate", "arguments": {"expression": "1 * 50"}},
            {"name": "update_reservation_baggages", "arguments": {
                "reservation_id": "7RT030", "total_baggages": 4, "payment_method_id": "credit_card_3292011"}},
        ],
        "outputs": ["50.0"],
    },
    {
        "instruction": (
            "You are Priya Popescu (user id priya_popescu_9449). Your return flight from Seattle to Las Vegas "
            "on May 22 (reservation LOMF3X) was cancelled by the airline and you are upset about it. You want "
            "to know whether you get anything for the trouble; accept whatever compensation the agent offers. "
            "You do not want to cancel or change the reservation in this conversation."
        ),
        "actions": [
            {"name": "get_user_details", "arguments": {"user_id": "priya_popescu_9449"}},
            {"name": "get_reservation_details", "arguments": {"reservation_id": "LOMF3X"}},
            {"name": "get_flight_status", "arguments": {"flight_number": "HL315", "date": "2025-05-22"}},
            {"name": "calculate", "arguments": {"expression": "100 * 1"}},
            {"name": "send_certificate", "arguments": {
                "user_id": "priya_popescu_9449", "reservation_id": "LOMF3X", "reason": "cancelled flight",
                "amount": 100}},
        ],
        "outputs": ["100.0"],
    },
    {
        "instruction": (
            "You are Benjamin Fischer (user id benjamin_fischer_8904). You and Rosa are booked from Nashville to "
            "Minneapolis on the morning of May 20 and back on May 25 (reservation 15NL7K). You would rather take "
            "the afternoon nonstop on May 20, same cabin, keeping the return as it is. Ask what the change costs "
            "and pay it with your Visa ending in 8839."
        ),
        "actions": [
            {"name": "get_user_details", "arguments": {"user_id": "benjamin_fischer_8904"}},
            {"name": "get_reservation_details", "arguments": {"reservation_id": "15NL7K"}},
            {"name": "search_direct_flight", "arguments": {"origin": "BNA", "destination": "MSP", "date": "2025-05-20"}},
            {"name": "calculate", "arguments": {"expression": "(227 - 224) * 2"}},
            {"name": "update_reservation_flights", "arguments": {
                "reservation_id": "15NL7K", "cabin": "economy",
                "flights": [{"flight_number": "HL169", "date": "2025-05-20"},
                            {"flight_number": "HL289", "date": "2025-05-25"}],
                "payment_method_id": "credit_card_9598634"}},
        ],
        "outputs": ["6.0"],
    },
    {
        "instruction": (
            "You are Nora Patel (user id nora_patel_1063). Your plans changed and you no longer need the business "
            "class round trip from Seattle to Newark (reservation DHIFPH, leaving May 16). You want to cancel it "
            "and to know how much you get back in total. If asked for a reason, it is a change of plans."
        ),
        "actions": [
            {"name": "get_user_details", "arguments": {"user_id": "nora_patel_1063"}},
            {"name": "get_reservation_details", "arguments": {"reservation_id": "DHIFPH"}},
            {"name": "calculate", "arguments": {"expression": "100 + 6320"}},
            {"name": "cancel_reservation", "arguments": {"reservation_id": "DHIFPH", "reason": "change of plans"}},
        ],
        "outputs": ["6420.0"],
    },
]
