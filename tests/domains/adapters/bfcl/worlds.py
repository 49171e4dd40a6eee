"""Small hand-written worlds, and for each API class a call sequence that uses every tool of it
successfully on its world (a value may be a function of earlier results, e.g. a booking id)."""

from __future__ import annotations

from typing import Any, Callable

from domains.adapters.bfcl.catalog import CLASSES
from domains.adapters.bfcl.database import World
from domains.adapters.bfcl.domain import BfclDomain

USER = "alex_doe_1"
PROFILE = {"name": "Alex Doe", "first_name": "Alex", "last_name": "Doe", "username": "alex", "password": "pw1"}
TOKEN = "tok123"
CARD = "111122223333"

CONFIGS: dict[str, dict[str, Any]] = {
    "GorillaFileSystem": {"root": {"alex": {"type": "directory", "contents": {
        "docs": {"type": "directory", "contents": {
            "a.txt": {"type": "file", "content": "line b\nline a\nbudget 2024"},
            "b.txt": {"type": "file", "content": "line b\nline c"},
        }},
        "empty": {"type": "directory", "contents": {}},
        "notes.txt": {"type": "file", "content": "call mom"},
    }}}},
    "MessageAPI": {
        "user_count": 3, "user_map": {"Alex": USER, "Bob": "USR002", "Cara": "USR003"},
        "inbox": [{"USR002": "hello there"}], "message_count": 1, "current_user": None, "random_seed": 5,
    },
    "TicketAPI": {
        "ticket_queue": [{"id": 1, "title": "Printer", "description": "jam", "status": "Open", "priority": 2,
                          "created_by": "alex"}],
        "ticket_counter": 2, "current_user": None,
    },
    "TradingBot": {
        "orders": {101: {"id": 101, "order_type": "Buy", "symbol": "AAPL", "price": 210.0, "amount": 5, "status": "Open"},
                   102: {"id": 102, "order_type": "Sell", "symbol": "NVDA", "price": 220.0, "amount": 1,
                         "status": "Completed"}},
        "account_info": {"account_id": 555, "balance": 10000.0, "binding_card": 1234567890123456},
        "authenticated": False, "market_status": "Open", "order_counter": 103,
        "stocks": {s: {"price": p, "percent_change": 0.2, "volume": 1.5, "MA(5)": p, "MA(20)": p}
                   for s, p in {"AAPL": 227.0, "NVDA": 220.0, "MSFT": 310.0}.items()},
        "watch_list": ["NVDA"], "transaction_history": [], "random_seed": 1,
    },
    "TravelAPI": {
        "random_seed": 7,
        "credit_card_list": {CARD: {"card_number": "4111111111111111", "expiration_date": "12/2030",
                                    "cardholder_name": "Alex Doe", "card_verification_number": 123, "balance": 5000.0}},
        "booking_record": {}, "access_token": TOKEN, "token_type": "Bearer", "token_expires_in": 2,
        "token_scope": "read_write", "user_first_name": "Alex", "user_last_name": "Doe", "budget_limit": None,
    },
    "TwitterAPI": {
        "username": "alex", "password": "pw1", "authenticated": False,
        "tweets": {0: {"id": 0, "username": "alex", "content": "first post", "tags": [], "mentions": []},
                   1: {"id": 1, "username": "bob", "content": "hi all", "tags": ["#hello"], "mentions": []}},
        "comments": {}, "retweets": {}, "following_list": ["bob"], "tweet_counter": 2,
    },
    "VehicleControlAPI": {
        "fuelLevel": 10.0, "doorStatus": {d: "unlocked" for d in ("driver", "passenger", "rear_left", "rear_right")},
        "engineState": "stopped", "brakePedalStatus": "released", "random_seed": 3,
    },
}

Args = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]
booking = lambda r: r["book_flight"]["booking_id"]  # noqa: E731

SEQUENCES: dict[str, list[tuple[str, Args]]] = {
    "GorillaFileSystem": [
        ("pwd", {}), ("ls", {"a": True}), ("cd", {"folder": "docs"}), ("cat", {"file_name": "a.txt"}),
        ("wc", {"file_name": "a.txt", "mode": "l"}), ("sort", {"file_name": "a.txt"}),
        ("grep", {"file_name": "a.txt", "pattern": "line"}), ("tail", {"file_name": "a.txt", "lines": 1}),
        ("diff", {"file_name1": "a.txt", "file_name2": "b.txt"}), ("du", {}), ("find", {"path": ".", "name": "a"}),
        ("touch", {"file_name": "new.txt"}), ("echo", {"content": "hi", "file_name": "new.txt"}),
        ("mkdir", {"dir_name": "sub"}), ("cp", {"source": "new.txt", "destination": "sub"}),
        ("mv", {"source": "b.txt", "destination": "sub"}), ("rm", {"file_name": "new.txt"}),
        ("cd", {"folder": ".."}), ("rmdir", {"dir_name": "empty"}),
    ],
    "MathAPI": [
        ("logarithm", {"value": 8.0, "base": 2.0, "precision": 3}), ("mean", {"numbers": [1.0, 2.0, 6.0]}),
        ("standard_deviation", {"numbers": [1.0, 3.0]}),
        ("si_unit_conversion", {"value": 1.5, "unit_in": "km", "unit_out": "m"}),
        ("imperial_si_conversion", {"value": 2.0, "unit_in": "miles", "unit_out": "km"}),
        ("add", {"a": 1.0, "b": 2.5}), ("subtract", {"a": 5.0, "b": 2}), ("multiply", {"a": 3.0, "b": 4.0}),
        ("divide", {"a": 9.0, "b": 3.0}), ("power", {"base": 2.0, "exponent": 10.0}),
        ("square_root", {"number": 16.0, "precision": 3}), ("absolute_value", {"number": -4.5}),
        ("round_number", {"number": 3.14159, "decimal_places": 2}), ("percentage", {"part": 25.0, "whole": 200.0}),
        ("min_value", {"numbers": [4.0, 2.0]}), ("max_value", {"numbers": [4.0, 2.0]}),
        ("sum_values", {"numbers": [1.0, 2.0, 3.5]}),
    ],
    "MessageAPI": [
        ("list_users", {}), ("get_user_id", {"user": "Bob"}), ("message_get_login_status", {}),
        ("message_login", {"user_id": USER}), ("send_message", {"receiver_id": "USR003", "message": "see you"}),
        ("view_messages_sent", {}), ("search_messages", {"keyword": "hello"}), ("get_message_stats", {}),
        ("add_contact", {"user_name": "Dan"}), ("delete_message", {"receiver_id": "USR002"}),
    ],
    "TicketAPI": [
        ("ticket_get_login_status", {}), ("ticket_login", {"username": "alex", "password": "pw1"}),
        ("get_user_tickets", {}), ("get_ticket", {"ticket_id": 1}),
        ("create_ticket", {"title": "VPN", "description": "drops", "priority": 3}),
        ("edit_ticket", {"ticket_id": 2, "updates": {"priority": 4}}),
        ("resolve_ticket", {"ticket_id": 1, "resolution": "fixed"}), ("close_ticket", {"ticket_id": 2}),
        ("logout", {}),
    ],
    "TradingBot": [
        ("trading_get_login_status", {}), ("trading_login", {"username": "alex", "password": "pw1"}),
        ("get_current_time", {}), ("get_symbol_by_name", {"name": "Apple"}), ("get_stock_info", {"symbol": "AAPL"}),
        ("get_available_stocks", {"sector": "Technology"}),
        ("filter_stocks_by_price", {"stocks": ["AAPL", "NVDA"], "min_price": 100.0, "max_price": 300.0}),
        ("notify_price_change", {"stocks": ["AAPL"], "threshold": 0.1}), ("add_to_watchlist", {"stock": "AAPL"}),
        ("get_watchlist", {}), ("remove_stock_from_watchlist", {"symbol": "NVDA"}), ("get_account_info", {}),
        ("fund_account", {"amount": 500.0}), ("withdraw_funds", {"amount": 200.0}), ("get_transaction_history", {}),
        ("place_order", {"order_type": "Buy", "symbol": "MSFT", "price": 310.0, "amount": 2}),
        ("get_order_history", {}), ("get_order_details", {"order_id": 101}), ("cancel_order", {"order_id": 101}),
        ("trading_logout", {}),
    ],
    "TravelAPI": [
        ("travel_get_login_status", {}), ("get_budget_fiscal_year", {}), ("list_all_airports", {}),
        ("get_nearest_airport_by_city", {"location": "Rivermist"}),
        ("get_flight_cost", {"travel_from": "SFO", "travel_to": "LAX", "travel_date": "2024-11-15",
                             "travel_class": "economy"}),
        ("compute_exchange_rate", {"base_currency": "USD", "target_currency": "EUR", "value": 100.0}),
        ("get_all_credit_cards", {}), ("get_credit_card_balance", {"access_token": TOKEN, "card_id": CARD}),
        ("register_credit_card", {"access_token": TOKEN, "card_number": "4222222222222222",
                                  "expiration_date": "01/2031", "cardholder_name": "Alex Doe",
                                  "card_verification_number": 456}),
        ("set_budget_limit", {"access_token": TOKEN, "budget_limit": 1000.0}),
        ("book_flight", {"access_token": TOKEN, "card_id": CARD, "travel_date": "2024-11-15", "travel_from": "SFO",
                         "travel_to": "LAX", "travel_class": "economy"}),
        ("get_booking_history", {"access_token": TOKEN}),
        ("retrieve_invoice", lambda r: {"access_token": TOKEN, "booking_id": booking(r)}),
        ("purchase_insurance", lambda r: {"access_token": TOKEN, "insurance_type": "comprehensive",
                                          "booking_id": booking(r), "insurance_cost": 50.0, "card_id": CARD}),
        ("contact_customer_support", lambda r: {"booking_id": booking(r), "message": "window seat?"}),
        ("verify_traveler_information", {"first_name": "Alex", "last_name": "Doe", "date_of_birth": "1990-01-01",
                                         "passport_number": "US1234"}),
        ("cancel_booking", lambda r: {"access_token": TOKEN, "booking_id": booking(r)}),
        ("authenticate_travel", {"client_id": "c1", "client_secret": "s1", "refresh_token": "r1",
                                 "grant_type": "read_write", "user_first_name": "Alex", "user_last_name": "Doe"}),
    ],
    "TwitterAPI": [
        ("posting_get_login_status", {}), ("authenticate_twitter", {"username": "alex", "password": "pw1"}),
        ("post_tweet", {"content": "hello world", "tags": ["#hi"]}), ("get_tweet", {"tweet_id": 0}),
        ("get_user_tweets", {"username": "alex"}), ("search_tweets", {"keyword": "hello"}),
        ("retweet", {"tweet_id": 1}), ("comment", {"tweet_id": 1, "comment_content": "nice"}),
        ("get_tweet_comments", {"tweet_id": 1}), ("mention", {"tweet_id": 2, "mentioned_usernames": ["@bob"]}),
        ("follow_user", {"username_to_follow": "carol"}), ("list_all_following", {}),
        ("unfollow_user", {"username_to_unfollow": "bob"}), ("get_user_stats", {"username": "alex"}),
    ],
    "VehicleControlAPI": [
        ("displayCarStatus", {"option": "fuel"}), ("check_tire_pressure", {}), ("find_nearest_tire_shop", {}),
        ("get_zipcode_based_on_city", {"city": "Rivermist"}), ("estimate_distance", {"cityA": "83214", "cityB": "74532"}),
        ("estimate_drive_feasibility_by_mileage", {"distance": 100.0}), ("liter_to_gallon", {"liter": 10.0}),
        ("gallon_to_liter", {"gallon": 2.0}), ("display_log", {"messages": ["hi"]}), ("get_current_speed", {}),
        ("get_outside_temperature_from_google", {}), ("fillFuelTank", {"fuelAmount": 20.0}),
        ("lockDoors", {"unlock": False, "door": ["driver", "passenger", "rear_left", "rear_right"]}),
        ("pressBrakePedal", {"pedalPosition": 1.0}), ("startEngine", {"ignitionMode": "START"}),
        ("releaseBrakePedal", {}), ("setCruiseControl", {"speed": 60.0, "activate": True, "distanceToNextVehicle": 50.0}),
        ("adjustClimateControl", {"temperature": 22.0, "fanSpeed": 30}), ("setHeadlights", {"mode": "on"}),
        ("activateParkingBrake", {"mode": "engage"}), ("set_navigation", {"destination": "1 Main St, Rivermist"}),
    ],
}

# BFCL methods that refuse whatever they are given (the weather.com lookup always answers 404)
ALWAYS_REFUSE = {"get_outside_temperature_from_weather_com"}


def one_world_domain(short: str) -> BfclDomain:
    """The domain of one class over a single hand-written world (user `USER`)."""
    api = CLASSES[short]
    world = World(user_id=USER, profile=dict(PROFILE), configs={api.class_name: CONFIGS.get(api.class_name, {})})
    return BfclDomain([api], worlds=[world])

