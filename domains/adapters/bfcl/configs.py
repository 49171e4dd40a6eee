"""Seeded initial configs for each BFCL API class: our own worlds, not BFCL's.

BFCL's multi-turn entries come with `initial_config`s, but they are public evaluation data:
sampling training tasks from them would teach models the benchmark's exact states (files,
tickets, balances, ids). So every world here is generated from the run-independent domain
seed, in the shapes `_load_scenario` accepts, with our own names, contents and numbers. The
BFCL entries are used only by the tests, to replay BFCL's ground truth on this adapter.

Symbols, airports, cities and zip codes are the ones BFCL's methods hard-code (a stock lookup
by company name, a flight cost table, a distance table): worlds use them so lookups succeed.
"""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.bfcl.people import Person

# -- file system ---------------------------------------------------------------------------
_TOPICS = {
    "budget": ["Quarterly budget review", "Travel spend is 12% over plan", "Marketing budget approved",
               "Budget analysis for Q3 attached", "Hiring budget frozen until March"],
    "research": ["Hypothesis: caching halves latency", "Experiment 4 failed on the cluster",
                 "Results look promising for model B", "Need more data for the ablation", "Draft the research summary"],
    "meeting": ["Meeting moved to Thursday", "Action item: update the roadmap", "Decision: ship version 2 in May",
                "Attendees: design, sales, support", "Follow up with the vendor"],
    "garden": ["Plant tomatoes after the last frost", "Water the roses every morning", "Order compost in bulk",
               "Prune the apple tree in winter", "Basil grows well on the balcony"],
    "recipe": ["Preheat the oven to 200 degrees", "Whisk two eggs with sugar", "Bake for 25 minutes",
               "Add a pinch of salt", "Serve warm with yogurt"],
    "log": ["INFO service started", "WARN disk usage at 81%", "ERROR connection refused", "INFO retry succeeded",
            "ERROR timeout after 30s", "INFO shutdown complete"],
    "todo": ["Renew the passport", "Call the plumber", "Back up the laptop", "Pay the electricity bill",
             "Book the dentist", "Return the library books"],
}
_FILE_NAMES = {
    "budget": ["budget_2024.txt", "expenses.csv", "q3_report.pdf", "forecast.xlsx"],
    "research": ["experiment_notes.txt", "results.md", "paper_draft.docx", "data_summary.txt"],
    "meeting": ["minutes.txt", "agenda.md", "action_items.txt", "retro_notes.txt"],
    "garden": ["planting_plan.txt", "garden_log.md", "seeds.csv"],
    "recipe": ["pancakes.txt", "lasagna.md", "shopping_list.txt"],
    "log": ["server.log", "deploy.log", "error_report.txt"],
    "todo": ["todo.txt", "errands.md", "reminders.txt"],
}
_DIRS = ["documents", "projects", "archive", "reports", "photos", "notes", "backup", "drafts", "work", "personal"]
_PROJECTS = ["apollo", "bluebird", "compass", "delta", "ember", "falcon", "harbor", "orbit"]


def _content(rng: random.Random, topic: str) -> str:
    lines = _TOPICS[topic]
    return "\n".join(rng.sample(lines, rng.randint(2, len(lines))))


def _files(rng: random.Random, n: int, taken: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for _ in range(n):
        topic = rng.choice(sorted(_TOPICS))
        name = rng.choice(_FILE_NAMES[topic])
        if name in taken:
            continue
        taken.add(name)
        out[name] = {"type": "file", "content": _content(rng, topic)}
    return out


def filesystem(rng: random.Random, person: Person) -> dict[str, Any]:
    """A home directory two or three levels deep, named after the person, like BFCL's."""
    taken: set[str] = set()
    top: dict[str, Any] = _files(rng, rng.randint(1, 2), taken)
    if rng.random() < 0.4:
        top[".hidden_notes"] = {"type": "file", "content": _content(rng, "todo")}
    for d in rng.sample(_DIRS, rng.randint(2, 4)):
        contents = _files(rng, rng.randint(0, 3), taken)
        if rng.random() < 0.5:
            sub = rng.choice(_PROJECTS + ["old", "2023", "shared"])
            contents[sub] = {"type": "directory", "contents": _files(rng, rng.randint(0, 2), taken)}
        top[d] = {"type": "directory", "contents": contents}
    return {"root": {person.username.split("_")[0]: {"type": "directory", "contents": top}}}


# -- trading ---------------------------------------------------------------------------------
STOCKS = {  # symbol -> (price around which it trades); symbols BFCL's lookups know
    "AAPL": 227.16, "GOOG": 2840.34, "TSLA": 667.92, "MSFT": 310.23, "NVDA": 220.34, "ALPH": 1320.45,
    "OMEG": 457.23, "QUAS": 725.89, "NEPT": 88.34, "SYNX": 345.67, "ZETA": 22.09,
}


def _money(x: float) -> float:
    return round(x, 2)


def trading(rng: random.Random, person: Person) -> dict[str, Any]:
    stocks = {}
    for symbol in sorted(rng.sample(sorted(STOCKS), rng.randint(6, len(STOCKS)))):
        price = _money(STOCKS[symbol] * rng.uniform(0.85, 1.15))
        stocks[symbol] = {
            "price": price,
            "percent_change": round(rng.uniform(-2.5, 2.5), 2),
            "volume": round(rng.uniform(0.3, 4.0), 3),
            "MA(5)": _money(price * rng.uniform(0.97, 1.03)),
            "MA(20)": _money(price * rng.uniform(0.94, 1.06)),
        }
    first_id = rng.randrange(10000, 90000)
    orders = {}
    for i in range(rng.randint(2, 5)):
        symbol = rng.choice(sorted(stocks))
        orders[first_id + i] = {
            "id": first_id + i,
            "order_type": rng.choice(["Buy", "Sell"]),
            "symbol": symbol,
            "price": _money(stocks[symbol]["price"] * rng.uniform(0.95, 1.05)),
            "amount": rng.randint(1, 50),
            "status": rng.choice(["Open", "Pending", "Completed", "Completed", "Cancelled"]),
        }
    history = []
    for _ in range(rng.randint(0, 3)):
        history.append({
            "type": rng.choice(["deposit", "withdrawal"]),
            "amount": float(rng.randrange(100, 5000, 50)),
            "timestamp": f"2024-08-{rng.randint(10, 31):02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:00",
        })
    return {
        "orders": orders,
        "account_info": {
            "account_id": rng.randrange(10000, 99999),
            "balance": _money(rng.uniform(2000, 60000)),
            "binding_card": rng.randrange(10**15, 10**16),
        },
        "authenticated": rng.random() < 0.4,
        "market_status": "Open" if rng.random() < 0.75 else "Closed",
        "order_counter": first_id + len(orders),
        "stocks": stocks,
        "watch_list": rng.sample(sorted(stocks), rng.randint(1, 3)),
        "transaction_history": history,
        "random_seed": rng.randrange(10**6, 10**7),
    }


# -- twitter ---------------------------------------------------------------------------------
HANDLES = ["tech_guru", "daily_chef", "trail_runner", "jazz_notes", "city_planner", "data_nerd",
           "green_thumb", "retro_gamer", "travel_bug", "book_worm"]
_TWEETS = [
    ("Just finished the quarterly report!", ["#work", "#reports"]),
    ("Morning run along the river, 10k done", ["#running"]),
    ("New blog post about home gardening is live", ["#garden", "#blog"]),
    ("Trying a new pasta recipe tonight", ["#food"]),
    ("Excited about the product launch next week", ["#launch", "#tech"]),
    ("Reading a great book on urban design", ["#books"]),
    ("Weekend hike photos coming soon", ["#hiking", "#photos"]),
    ("Coffee first, emails second", []),
]


def twitter(rng: random.Random, person: Person) -> dict[str, Any]:
    others = rng.sample(HANDLES, 4)
    tweets: dict[int, dict[str, Any]] = {}
    for i, (content, tags) in enumerate(rng.sample(_TWEETS, rng.randint(3, 6))):
        author = person.username if i % 2 == 0 or rng.random() < 0.3 else rng.choice(others)
        mentions = [f"@{rng.choice(others)}"] if rng.random() < 0.3 else []
        tweets[i] = {"id": i, "username": author, "content": content, "tags": list(tags), "mentions": mentions}
    comments: dict[int, list[dict[str, str]]] = {}
    for tid in rng.sample(sorted(tweets), rng.randint(0, 2)):
        comments[tid] = [{"username": rng.choice(others), "content": rng.choice(["Great!", "Agreed.", "Nice one"])}]
    return {
        "username": person.username,
        "password": person.password,
        "authenticated": rng.random() < 0.5,
        "tweets": tweets,
        "comments": comments,
        "retweets": {},
        "following_list": sorted(rng.sample(others, rng.randint(1, 3))),
        "tweet_counter": len(tweets),
    }


# -- tickets ---------------------------------------------------------------------------------
_TICKETS = [
    ("Laptop will not boot", "The laptop shows a black screen after the logo."),
    ("VPN disconnects", "The VPN drops every ten minutes when working from home."),
    ("Printer jam on floor 3", "The shared printer jams on double-sided jobs."),
    ("Password reset", "Locked out of the expense system after the update."),
    ("Monitor flickers", "The second monitor flickers when the dock is used."),
    ("Access to the sales drive", "Need read access to the shared sales drive."),
    ("Broken chair", "The office chair at desk 14 lost a wheel."),
    ("Email quota full", "The mailbox is full and new mail bounces."),
]


def ticket(rng: random.Random, person: Person) -> dict[str, Any]:
    others = rng.sample(HANDLES, 3)
    first = rng.randrange(1, 500)
    queue = []
    for i, (title, description) in enumerate(rng.sample(_TICKETS, rng.randint(3, 6))):
        queue.append({
            "id": first + i,
            "title": title,
            "description": description,
            "status": rng.choice(["Open", "Open", "In Progress", "Resolved", "Closed"]),
            "priority": rng.randint(1, 5),
            "created_by": person.username if rng.random() < 0.6 else rng.choice(others),
        })
    return {
        "ticket_queue": queue,
        "ticket_counter": first + len(queue),
        "current_user": person.username if rng.random() < 0.5 else None,
    }


# -- messages --------------------------------------------------------------------------------
_CONTACTS = ["Alice", "Bob", "Catherine", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas"]
_MESSAGES = ["Can you send me the slides?", "Lunch at noon?", "The report is ready for review.",
             "Call me when you land.", "Thanks for the help yesterday!", "Meeting starts in 5 minutes."]


def message(rng: random.Random, person: Person) -> dict[str, Any]:
    """The person is a workspace user whose messaging id is their user id; contacts are USR ids."""
    contacts = rng.sample([c for c in _CONTACTS if c != person.first], rng.randint(3, 5))
    user_map = {person.first: person.user_id}
    for i, name in enumerate(contacts, start=2):
        user_map[name] = f"USR{i:03d}"
    inbox = [{rng.choice(list(user_map.values())[1:]): rng.choice(_MESSAGES)} for _ in range(rng.randint(2, 5))]
    return {
        "user_count": len(contacts) + 1,
        "user_map": user_map,
        "inbox": inbox,
        "message_count": len(inbox),
        "current_user": person.user_id if rng.random() < 0.5 else None,
        "random_seed": rng.randrange(10**5, 10**6),
    }


# -- travel ----------------------------------------------------------------------------------
ROUTES = {  # a share of the routes BFCL's flight cost table prices
    ("SFO", "LAX"), ("SFO", "JFK"), ("SFO", "ORD"), ("LAX", "JFK"), ("LAX", "ORD"), ("JFK", "ORD"),
    ("JFK", "BOS"), ("ORD", "BOS"), ("RMS", "BOS"), ("RMS", "JFK"), ("SBK", "MPC"), ("SVP", "SHD"),
    ("OKD", "WLB"), ("CRH", "ATV"), ("LHR", "CDG"), ("JFK", "HND"), ("LAX", "HND"), ("ORD", "LAX"),
}


def travel_date(rng: random.Random) -> str:
    return f"2024-{rng.randint(10, 12):02d}-{rng.randint(1, 28):02d}"


def travel(rng: random.Random, person: Person) -> dict[str, Any]:
    cards: dict[str, dict[str, Any]] = {}
    for _ in range(rng.randint(1, 3)):
        cards[str(rng.randrange(10**11, 10**12))] = {
            "card_number": str(rng.randrange(4 * 10**15, 5 * 10**15)),
            "expiration_date": f"{rng.randint(1, 12):02d}/{rng.randint(2026, 2030)}",
            "cardholder_name": person.name,
            "card_verification_number": rng.randrange(100, 999),
            "balance": float(rng.randrange(1500, 40000, 50)),
        }
    bookings: dict[str, dict[str, Any]] = {}
    for _ in range(rng.randint(0, 2)):
        a, b = rng.choice(sorted(ROUTES))
        bookings[str(rng.randrange(10**6, 10**7))] = {
            "card_id": rng.choice(sorted(cards)),
            "travel_date": travel_date(rng),
            "travel_from": a,
            "travel_to": b,
            "travel_class": rng.choice(["economy", "business"]),
            "travel_cost": float(rng.randrange(200, 1500, 10)),
            "transaction_id": str(rng.randrange(10**7, 10**8)),
        }
    config: dict[str, Any] = {
        "random_seed": rng.randrange(10**5, 10**6),
        "credit_card_list": cards,
        "booking_record": bookings,
        "budget_limit": float(rng.randrange(1000, 5000, 100)) if rng.random() < 0.2 else None,
    }
    if rng.random() < 0.5:  # already signed in: the person knows their token
        config.update({
            "access_token": person.travel_token, "token_type": "Bearer", "token_expires_in": 2,
            "token_scope": "read_write", "user_first_name": person.first, "user_last_name": person.last,
        })
    return config


# -- vehicle ---------------------------------------------------------------------------------
DOORS = ["driver", "passenger", "rear_left", "rear_right"]


def vehicle(rng: random.Random, person: Person) -> dict[str, Any]:
    return {
        "random_seed": rng.randrange(10**5, 10**6),
        "fuelLevel": float(rng.randrange(2, 45)),
        "batteryVoltage": round(rng.uniform(11.8, 13.2), 1),
        "engineState": "stopped",
        "doorStatus": {d: rng.choice(["locked", "unlocked"]) for d in DOORS},
        "acTemperature": float(rng.randrange(16, 28)),
        "fanSpeed": rng.randrange(0, 100, 10),
        "acMode": rng.choice(["auto", "cool", "heat", "defrost"]),
        "humidityLevel": float(rng.randrange(30, 70)),
        "headLightStatus": rng.choice(["on", "off"]),
        "parkingBrakeStatus": rng.choice(["engaged", "released"]),
        "brakePedalStatus": "released",
        "distanceToNextVehicle": float(rng.randrange(20, 100, 5)),
        "cruiseStatus": "inactive",
        "destination": "None",
        "frontLeftTirePressure": float(rng.randrange(26, 38)),
        "frontRightTirePressure": float(rng.randrange(26, 38)),
        "rearLeftTirePressure": float(rng.randrange(26, 38)),
        "rearRightTirePressure": float(rng.randrange(26, 38)),
    }


GENERATORS = {
    "GorillaFileSystem": filesystem,
    "TradingBot": trading,
    "TwitterAPI": twitter,
    "TicketAPI": ticket,
    "MessageAPI": message,
    "TravelAPI": travel,
    "VehicleControlAPI": vehicle,
}
