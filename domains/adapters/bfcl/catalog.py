"""The BFCL multi-turn API classes this adapter exposes, and the domain names made of them.

Nothing here imports `bfcl_eval`, so listing domain names stays cheap.

Naming decision: one domain per stateful API class (`bfcl:trading`, `bfcl:vehicle`, ...) plus
the two-class combinations BFCL's multi-turn categories use (`bfcl:message+trading`, ...),
named by the short names joined with `+` in alphabetical order. `domain_names()` lists the
singles and BFCL's pairs, which the registry resolves; `build_domain` itself accepts any
combination (e.g. `math+ticket+trading`) for code that wants one. `MathAPI` is stateless (every task would be a question), so it is
listed only in BFCL's pairs, never alone. The memory and web-search classes are left out: they
are not part of the multi-turn suite, and web search needs the internet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domains.errors import DomainError

PACKAGE = "bfcl_eval.eval_checker.multi_turn_eval.func_source_code"


@dataclass(frozen=True)
class ApiClass:
    """One BFCL API class and the facts about its methods that the class itself does not say.

    `writes`: methods that change the instance (its public state, or the working directory
    later calls depend on); every other method is a read, safe to call while probing. A test
    replays BFCL's ground truth and checks that no read ever changes the state.
    `noisy_reads`: reads that draw from the instance's random generator (a fresh number each
    call), kept out of the API graph and of sampled chains so replays stay reproducible.
    `discovers`: for a tool's argument, the field of a read's result its values are found
    under when the names differ (e.g. `cancel_order.order_id` from `get_order_history.history`).
    Only arguments listed here are discovered by the chain sampler; the rest come from the user.
    `result_fields`: a read's result fields where BFCL's function doc names them wrongly (the
    API graph otherwise takes them from the doc's `response` schema).
    """

    short: str
    class_name: str
    module: str
    doc_file: str
    writes: frozenset[str]
    stateless: bool = False
    noisy_reads: frozenset[str] = frozenset()
    discovers: dict[str, dict[str, str]] = field(default_factory=dict)
    result_fields: dict[str, frozenset[str]] = field(default_factory=dict)


def _api(short: str, class_name: str, module: str, doc_file: str, writes: str, **kw) -> ApiClass:
    return ApiClass(short, class_name, f"{PACKAGE}.{module}", doc_file, frozenset(writes.split()), **kw)


_LOCAL_FILE = "current_directory_content"
_TWEET = frozenset({"id", "username", "content", "tags", "mentions"})

CLASSES: dict[str, ApiClass] = {
    a.short: a
    for a in [
        _api(
            "filesystem", "GorillaFileSystem", "gorilla_file_system", "gorilla_file_system.json",
            "cd mkdir touch echo mv rm rmdir cp",
            discovers={
                "cd": {"folder": _LOCAL_FILE},
                "cat": {"file_name": _LOCAL_FILE},
                "wc": {"file_name": _LOCAL_FILE},
                "tail": {"file_name": _LOCAL_FILE},
                "sort": {"file_name": _LOCAL_FILE},
                "grep": {"file_name": _LOCAL_FILE},
                "diff": {"file_name1": _LOCAL_FILE, "file_name2": _LOCAL_FILE},
                "mv": {"source": _LOCAL_FILE},
                "cp": {"source": _LOCAL_FILE},
                "rm": {"file_name": _LOCAL_FILE},
                "rmdir": {"dir_name": _LOCAL_FILE},
            },
        ),
        _api("math", "MathAPI", "math_api", "math_api.json", "", stateless=True),
        _api(
            "message", "MessageAPI", "message_api", "message_api.json",
            "message_login send_message delete_message add_contact",
            discovers={
                "get_user_id": {"user": "user_list"},
                "send_message": {"receiver_id": "user_id"},
                "delete_message": {"receiver_id": "user_id"},
            },
        ),
        _api(
            "ticket", "TicketAPI", "ticket_api", "ticket_api.json",
            "create_ticket close_ticket resolve_ticket edit_ticket ticket_login logout",
            discovers={
                "get_ticket": {"ticket_id": "id"},
                "close_ticket": {"ticket_id": "id"},
                "resolve_ticket": {"ticket_id": "id"},
                "edit_ticket": {"ticket_id": "id"},
            },
        ),
        _api(
            "trading", "TradingBot", "trading_bot", "trading_bot.json",
            "cancel_order place_order withdraw_funds trading_login trading_logout fund_account "
            "remove_stock_from_watchlist add_to_watchlist",
            discovers={
                "get_order_details": {"order_id": "history"},
                "cancel_order": {"order_id": "history"},
                "get_stock_info": {"symbol": "watchlist"},
                "remove_stock_from_watchlist": {"symbol": "watchlist"},
                "place_order": {"symbol": "watchlist", "price": "price"},
            },
            result_fields={"get_order_history": frozenset({"history"})},
        ),
        _api(
            "travel", "TravelAPI", "travel_booking", "travel_booking.json",
            "authenticate_travel register_credit_card book_flight cancel_booking set_budget_limit "
            "purchase_insurance",
        ),
        _api(
            "twitter", "TwitterAPI", "posting_api", "posting_api.json",
            "authenticate_twitter post_tweet retweet comment mention follow_user unfollow_user",
            discovers={
                "get_tweet": {"tweet_id": "id"},
                "retweet": {"tweet_id": "id"},
                "comment": {"tweet_id": "id"},
                "mention": {"tweet_id": "id"},
                "get_tweet_comments": {"tweet_id": "id"},
                "unfollow_user": {"username_to_unfollow": "following_list"},
            },
            result_fields={name: _TWEET for name in ("get_user_tweets", "search_tweets")},
        ),
        _api(
            "vehicle", "VehicleControlAPI", "vehicle_control", "vehicle_control.json",
            "startEngine fillFuelTank lockDoors adjustClimateControl setHeadlights activateParkingBrake "
            "pressBrakePedal releaseBrakePedal setCruiseControl set_navigation",
            noisy_reads=frozenset({"get_current_speed", "get_outside_temperature_from_google"}),
            discovers={"estimate_distance": {"cityA": "zipcode", "cityB": "zipcode"}},
        ),
    ]
}

# The two-class combinations of BFCL's multi-turn categories (base, miss_func, miss_param, long_context).
BFCL_PAIRS = [
    ("filesystem", "math"), ("filesystem", "message"), ("filesystem", "ticket"), ("filesystem", "twitter"),
    ("math", "trading"), ("math", "travel"), ("math", "vehicle"), ("message", "trading"),
    ("message", "travel"), ("message", "vehicle"), ("ticket", "trading"), ("ticket", "travel"),
    ("ticket", "vehicle"), ("trading", "twitter"), ("travel", "twitter"), ("twitter", "vehicle"),
]


class UnknownBfclDomain(DomainError):
    """A `bfcl:` domain name that names no known API class."""


def parse_name(name: str) -> list[ApiClass]:
    """The API classes of a domain name (`trading`, `message+trading`; a `bfcl:` prefix is allowed)."""
    bare = name.split(":", 1)[1] if name.startswith("bfcl:") else name
    shorts = [s.strip() for s in bare.split("+") if s.strip()]
    unknown = [s for s in shorts if s not in CLASSES]
    if not shorts or unknown:
        raise UnknownBfclDomain(
            f"unknown BFCL domain {name!r}: {', '.join(unknown) or 'no API class named'}; "
            f"API classes are {', '.join(sorted(CLASSES))}, joined with '+' (e.g. 'message+trading')"
        )
    return [CLASSES[s] for s in sorted(set(shorts))]


def canonical_name(classes: list[ApiClass]) -> str:
    return "+".join(sorted(a.short for a in classes))


def domain_names() -> list[str]:
    singles = [s for s, a in CLASSES.items() if not a.stateless]
    return sorted(singles) + ["+".join(p) for p in BFCL_PAIRS]
