"""Trading account tasks; most need the person signed in first, which BFCL's methods check."""

from __future__ import annotations

import random
from typing import Any

from domains.adapters.bfcl.database import WorldDatabase
from domains.adapters.bfcl.scenarios.common import profile, question, task
from domains.framework.sampling import TargetCall

BOT = "TradingBot"


def _bot(db: WorldDatabase) -> Any:
    return db.live(BOT)


def _login(db: WorldDatabase, user_id: str) -> list[TargetCall]:
    if _bot(db).authenticated:
        return []
    me = profile(db, user_id)
    return [("trading_login", {"username": me["username"], "password": me["password"]})]


def cancel_order(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    open_orders = [oid for oid, o in _bot(db).orders.items() if o["status"] in ("Open", "Pending")]
    if not open_orders:
        return None
    order_id = rng.choice(sorted(open_orders))
    return [("get_order_details", {"order_id": order_id}), ("cancel_order", {"order_id": order_id})]


def place_order(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    bot = _bot(db)
    symbol = rng.choice(sorted(bot.stocks))
    price = bot.stocks[symbol]["price"]
    order_type = rng.choice(["Buy", "Sell"])
    affordable = int(bot.account_info["balance"] // price)
    if order_type == "Buy" and affordable < 1:
        return None
    amount = rng.randint(1, min(affordable, 50) if order_type == "Buy" else 50)
    return _login(db, user_id) + [
        ("get_stock_info", {"symbol": symbol}),
        ("place_order", {"order_type": order_type, "symbol": symbol, "price": price, "amount": amount}),
    ]


def fund_account(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return _login(db, user_id) + [("fund_account", {"amount": float(rng.randrange(100, 10000, 50))})]


def withdraw(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    bot = _bot(db)
    if bot.market_status != "Open" or bot.account_info["balance"] < 100:
        return None
    amount = float(rng.randrange(50, int(min(bot.account_info["balance"], 5000)), 50))
    return _login(db, user_id) + [("get_account_info", {}), ("withdraw_funds", {"amount": amount})]


def watch(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    bot = _bot(db)
    unwatched = sorted(s for s in bot.stocks if s not in bot.watch_list)
    if not unwatched:
        return None
    return [("add_to_watchlist", {"stock": rng.choice(unwatched)})]


def unwatch(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    bot = _bot(db)
    if not bot.watch_list:
        return None
    return _login(db, user_id) + [
        ("get_watchlist", {}), ("remove_stock_from_watchlist", {"symbol": rng.choice(sorted(bot.watch_list))}),
    ]


COMPANIES = {"Apple": "AAPL", "Google": "GOOG", "Tesla": "TSLA", "Microsoft": "MSFT", "Nvidia": "NVDA",
             "Zeta Corp": "ZETA", "Alpha Tech": "ALPH", "Omega Industries": "OMEG", "Quasar Ltd.": "QUAS",
             "Neptune Systems": "NEPT", "Synex Solutions": "SYNX"}  # the names BFCL's symbol lookup knows


def symbol_lookup(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    known = sorted(name for name, symbol in COMPANIES.items() if symbol in _bot(db).stocks)
    return [("get_symbol_by_name", {"name": rng.choice(known)})] if known else None


def logout(db: WorldDatabase, user_id: str, rng: random.Random) -> list[TargetCall] | None:
    return [("trading_logout", {})] if _bot(db).authenticated else None


SCENARIOS = [
    task("trading_cancel_order", cancel_order),
    task("trading_place_order", place_order, 1.5),
    task("trading_fund_account", fund_account),
    task("trading_withdraw", withdraw),
    task("trading_watch_stock", watch, 0.8),
    task("trading_unwatch_stock", unwatch, 0.6),
    task("trading_logout", logout, 0.2),
    question("trading_symbol_lookup", symbol_lookup, 0.3),
]
