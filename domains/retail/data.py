"""Deterministic generator of the retail database.

`generate(seed, scale)` returns the JSON tables (users, products, orders) built from
`random.Random(seed)` alone: the same seed and scale always give the same data. The product
catalogue (about 50 product types, each with several variants) does not grow with `scale`;
users (500 x scale) and orders (1,000 x scale) do, so scale=100 is a 100x bigger database made
by the same code.

The shipped file `data/db.json` is `generate(0)`; regenerate it with

    python -m domains.retail.data            # writes domains/retail/data/db.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import random
from pathlib import Path
from typing import Any

from domains.retail.models import CANCEL_REASONS

DB_PATH = Path(__file__).with_name("data") / "db.json"  # also in domains/retail/__init__.py

USERS_PER_SCALE = 500
ORDERS_PER_SCALE = 1000

SIZES = ["XS", "S", "M", "L", "XL"]
SHOE_SIZES = ["7", "8", "9", "10", "11", "12"]
YES_NO = ["no", "yes"]

# name, category, options (each a list of values), price range
CATALOGUE: list[tuple[str, str, dict[str, list[str]], tuple[float, float]]] = [
    ("Trail Running Shoes", "footwear", {"size": SHOE_SIZES, "color": ["black", "slate blue", "forest green", "orange"], "waterproof": YES_NO}, (75, 160)),
    ("Canvas Sneakers", "footwear", {"size": SHOE_SIZES, "color": ["white", "navy", "red", "black"]}, (35, 70)),
    ("Hiking Boots", "footwear", {"size": SHOE_SIZES, "material": ["leather", "synthetic"], "color": ["brown", "black"]}, (110, 220)),
    ("Rain Jacket", "clothing", {"size": SIZES, "color": ["yellow", "navy", "olive", "red"], "hood": ["packable", "fixed"]}, (60, 140)),
    ("Wool Sweater", "clothing", {"size": SIZES, "color": ["cream", "charcoal", "burgundy"], "knit": ["cable", "ribbed"]}, (50, 120)),
    ("Denim Jeans", "clothing", {"waist": ["28", "30", "32", "34", "36"], "fit": ["slim", "straight", "relaxed"], "wash": ["light", "dark"]}, (40, 90)),
    ("Yoga Pants", "clothing", {"size": SIZES, "color": ["black", "plum", "heather gray"], "length": ["full", "cropped"]}, (30, 70)),
    ("Baseball Cap", "accessories", {"color": ["navy", "khaki", "black", "white"], "closure": ["snapback", "strap"]}, (15, 35)),
    ("Leather Belt", "accessories", {"size": ["S", "M", "L", "XL"], "color": ["black", "tan", "brown"], "buckle": ["silver", "brass"]}, (25, 60)),
    ("Winter Gloves", "accessories", {"size": ["S", "M", "L"], "material": ["wool", "fleece", "leather"], "touchscreen": YES_NO}, (18, 55)),
    ("Sunglasses", "accessories", {"frame color": ["black", "tortoise", "gold", "silver"], "lens": ["polarized", "standard"], "shape": ["round", "square", "aviator"]}, (30, 220)),
    ("Espresso Machine", "kitchen", {"color": ["stainless steel", "matte black", "red"], "pressure": ["15 bar", "20 bar"], "milk frother": YES_NO}, (150, 450)),
    ("Blender", "kitchen", {"capacity": ["1.2L", "1.5L", "2L"], "power": ["600W", "900W", "1200W"], "color": ["black", "white"]}, (40, 160)),
    ("Electric Kettle", "kitchen", {"capacity": ["1L", "1.7L"], "material": ["glass", "stainless steel", "plastic"], "temperature control": YES_NO}, (25, 90)),
    ("Cast Iron Skillet", "kitchen", {"diameter": ["8 inch", "10 inch", "12 inch"], "pre-seasoned": YES_NO}, (20, 60)),
    ("Chef Knife", "kitchen", {"blade length": ["6 inch", "8 inch", "10 inch"], "steel": ["german", "japanese"], "handle": ["wood", "resin"]}, (35, 160)),
    ("Air Fryer", "kitchen", {"capacity": ["3 qt", "5 qt", "8 qt"], "color": ["black", "white", "sage"]}, (60, 180)),
    ("Coffee Grinder", "kitchen", {"grinder type": ["blade", "burr"], "capacity": ["small", "large"], "color": ["black", "silver", "white"]}, (25, 150)),
    ("Cookware Set", "kitchen", {"pieces": ["5", "8", "12"], "coating": ["nonstick", "stainless", "ceramic"]}, (80, 350)),
    ("Water Bottle", "kitchen", {"capacity": ["500ml", "750ml", "1000ml"], "material": ["stainless steel", "glass", "plastic"], "color": ["teal", "black", "coral", "white"]}, (12, 40)),
    ("Bedsheet Set", "home", {"size": ["twin", "full", "queen", "king"], "material": ["cotton", "linen", "bamboo"], "color": ["white", "gray", "sand"]}, (40, 180)),
    ("Throw Pillow", "home", {"size": ["16x16", "18x18", "20x20"], "color": ["mustard", "teal", "ivory", "rust"], "fill": ["polyester", "down"]}, (15, 45)),
    ("Desk Lamp", "home", {"color": ["black", "white", "brass"], "brightness": ["400 lumen", "800 lumen"], "power source": ["AC adapter", "USB"]}, (25, 90)),
    ("Vacuum Cleaner", "home", {"vacuum type": ["upright", "stick", "robot"], "bagless": YES_NO, "color": ["gray", "red", "black"]}, (120, 500)),
    ("Office Chair", "home", {"color": ["black", "gray", "blue"], "material": ["mesh", "leather", "fabric"], "armrests": ["fixed", "adjustable"]}, (120, 380)),
    ("Bookshelf", "home", {"material": ["oak", "walnut", "white laminate"], "shelves": ["3", "4", "5"]}, (70, 260)),
    ("Scented Candle", "home", {"scent": ["lavender", "cedar", "vanilla", "sea salt", "fig"], "size": ["small", "medium", "large"]}, (12, 45)),
    ("Wireless Earbuds", "electronics", {"color": ["black", "white", "blue"], "battery life": ["6 hours", "8 hours", "10 hours"], "noise cancelling": YES_NO}, (40, 200)),
    ("Bluetooth Speaker", "electronics", {"color": ["black", "red", "teal"], "battery life": ["10 hours", "20 hours"], "waterproof": YES_NO}, (30, 150)),
    ("Smartwatch", "electronics", {"case size": ["40mm", "44mm"], "color": ["black", "silver", "rose gold"], "band": ["silicone", "leather", "metal"], "cellular": YES_NO}, (150, 450)),
    ("Laptop", "electronics", {"screen size": ["13 inch", "14 inch", "15 inch"], "processor": ["i5", "i7", "ryzen 7"], "ram": ["8GB", "16GB", "32GB"], "storage": ["256GB SSD", "512GB SSD", "1TB SSD"]}, (600, 1900)),
    ("Tablet", "electronics", {"screen size": ["8 inch", "10 inch", "12 inch"], "storage": ["64GB", "128GB", "256GB"], "color": ["space gray", "silver"]}, (180, 900)),
    ("Mechanical Keyboard", "electronics", {"switch type": ["linear", "tactile", "clicky"], "layout": ["full size", "tenkeyless", "compact"], "backlight": ["RGB", "white", "none"]}, (50, 200)),
    ("Wireless Mouse", "electronics", {"color": ["black", "white", "graphite"], "connectivity": ["bluetooth", "USB receiver"], "sensor": ["optical", "laser"]}, (18, 90)),
    ("Gaming Headset", "electronics", {"color": ["black", "white", "green"], "connectivity": ["wired", "wireless"], "microphone": ["detachable", "boom"]}, (40, 220)),
    ("Digital Camera", "electronics", {"resolution": ["20MP", "24MP", "30MP"], "zoom": ["3x", "5x", "10x"], "color": ["black", "silver"]}, (250, 1200)),
    ("Portable Charger", "electronics", {"capacity": ["10000mAh", "20000mAh", "26800mAh"], "color": ["black", "white", "blue"], "fast charging": YES_NO}, (20, 80)),
    ("Smart Thermostat", "electronics", {"color": ["white", "black", "stainless"], "connectivity": ["wifi", "zigbee"]}, (90, 260)),
    ("Action Camera", "electronics", {"resolution": ["4K", "5K"], "waterproof depth": ["10m", "30m"], "color": ["black", "silver"]}, (150, 450)),
    ("E-Reader", "electronics", {"storage": ["8GB", "16GB", "32GB"], "screen": ["6 inch", "7 inch"], "backlight": ["warm", "white"]}, (90, 280)),
    ("Monitor", "electronics", {"size": ["24 inch", "27 inch", "32 inch"], "resolution": ["1080p", "1440p", "4K"], "refresh rate": ["60Hz", "144Hz"]}, (150, 700)),
    ("Camping Tent", "outdoors", {"capacity": ["2-person", "4-person", "6-person"], "season": ["3-season", "4-season"], "color": ["green", "orange", "gray"]}, (90, 450)),
    ("Sleeping Bag", "outdoors", {"temperature rating": ["0F", "20F", "40F"], "fill": ["down", "synthetic"], "length": ["regular", "long"]}, (60, 300)),
    ("Hiking Backpack", "outdoors", {"capacity": ["30L", "45L", "65L"], "color": ["charcoal", "moss", "cobalt"], "rain cover": YES_NO}, (60, 260)),
    ("Yoga Mat", "sports", {"thickness": ["4mm", "6mm", "8mm"], "material": ["TPE", "natural rubber", "PVC"], "color": ["purple", "sea green", "black"]}, (20, 90)),
    ("Bicycle Helmet", "sports", {"size": ["S", "M", "L"], "color": ["matte black", "white", "neon yellow"], "MIPS": YES_NO}, (40, 160)),
    ("Dumbbell Set", "sports", {"weight range": ["5-25 lb", "5-50 lb", "10-90 lb"], "material": ["iron", "rubber coated"]}, (60, 400)),
    ("Tennis Racket", "sports", {"weight": ["270g", "285g", "300g"], "grip size": ["4 1/8", "4 1/4", "4 3/8"]}, (70, 240)),
    ("Fountain Pen", "office", {"nib": ["fine", "medium", "broad"], "color": ["black", "blue", "green", "burgundy"], "material": ["resin", "metal"]}, (25, 180)),
    ("Board Game", "toys", {"theme": ["space", "fantasy", "trains", "farming"], "players": ["2-4", "2-6"]}, (25, 70)),
    ("Jigsaw Puzzle", "toys", {"pieces": ["500", "1000", "2000"], "theme": ["landscape", "animals", "art", "maps"]}, (15, 45)),
    ("Skincare Set", "beauty", {"skin type": ["dry", "oily", "combination", "sensitive"], "size": ["travel", "full"]}, (30, 120)),
]

# option names whose values are listed from least to most (and priced so)
MAGNITUDES = {
    "capacity", "storage", "ram", "pieces", "screen size", "case size", "weight range", "battery life", "power",
    "resolution", "zoom", "blade length", "diameter", "thickness", "processor", "brightness", "refresh rate",
    "shelves", "players", "waterproof depth",
}

FIRST_NAMES = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Lucas", "Isabella", "Ethan", "Mia", "Aiden",
    "Amara", "Yusuf", "Chloe", "Kenji", "Priya", "Diego", "Fatima", "Elijah", "Hana", "Omar", "Grace", "Ravi",
    "Zoe", "Mohammed", "Lily", "Santiago", "Aaliyah", "Daniel", "Nora", "Hiroshi", "Leila", "Samuel", "Ingrid",
    "Tomas", "Chen", "Ana", "Kwame", "Julia", "Arjun", "Sofia", "Malik", "Freya", "Ibrahim", "Camila", "Owen",
    "Naomi", "Luca", "Ayesha", "Henry", "Maya", "Dmitri", "Eva", "Jamal", "Aria", "Lars", "Rosa", "Finn",
    "Mei", "Gabriel", "Layla", "Theo", "Nadia", "Kofi", "Clara", "Rafael", "Yara", "Isaac", "Elena", "Jonah",
    "Anika", "Marcus", "Sakura", "Victor", "Imani", "Oscar", "Lucia", "Hugo", "Zara", "Felix", "Aditi", "Leo",
    "Beatriz", "Caleb", "Noor", "Sebastian", "Wren", "Tariq", "Esme", "Andre", "Keiko", "Emil", "Valentina",
    "Joaquin", "Harper", "Bashir", "Ruby", "Ivan", "Talia", "Moses", "Signe", "Xavier", "Daria",
]
LAST_NAMES = [
    "Martin", "Nguyen", "Garcia", "Okafor", "Kim", "Patel", "Rossi", "Johansson", "Silva", "Cohen", "Haddad",
    "Tanaka", "Brown", "Kowalski", "Lopez", "Mensah", "Schmidt", "Ali", "Dubois", "Ivanova", "Murphy", "Chen",
    "Fernandez", "Yamamoto", "Walker", "Andersen", "Novak", "Reyes", "Singh", "Osei", "Moreau", "Wright",
    "Hassan", "Lindqvist", "Costa", "Park", "Bianchi", "Adeyemi", "Sato", "Clarke", "Morales", "Fischer",
    "Rahman", "Hughes", "Petrov", "Alvarez", "Nakamura", "Baker", "Santos", "Eriksen", "Mahmoud", "Gomez",
    "Wilson", "Kaur", "Horvat", "Diaz", "Kuznetsov", "Bennett", "Yilmaz", "Ortiz", "Lee", "Ferrari", "Boateng",
    "Torres", "Jensen", "Khan", "Duarte", "Müller", "Campbell", "Romero", "Watanabe", "Abebe", "Price",
    "Varga", "Suzuki", "Castillo", "Stewart", "Olsen", "Mendoza", "Igwe", "Russo", "Hall", "Sharma", "Vega",
]
CITIES = [  # city, state, first three digits of its zip codes
    ("Portland", "OR", "972"), ("Seattle", "WA", "981"), ("Spokane", "WA", "992"), ("Boise", "ID", "837"),
    ("San Francisco", "CA", "941"), ("Oakland", "CA", "946"), ("Sacramento", "CA", "958"), ("San Diego", "CA", "921"),
    ("Los Angeles", "CA", "900"), ("Phoenix", "AZ", "850"), ("Tucson", "AZ", "857"), ("Albuquerque", "NM", "871"),
    ("Denver", "CO", "802"), ("Salt Lake City", "UT", "841"), ("Las Vegas", "NV", "891"), ("Austin", "TX", "787"),
    ("Houston", "TX", "770"), ("Dallas", "TX", "752"), ("San Antonio", "TX", "782"), ("Oklahoma City", "OK", "731"),
    ("Omaha", "NE", "681"), ("Minneapolis", "MN", "554"), ("Madison", "WI", "537"), ("Chicago", "IL", "606"),
    ("Detroit", "MI", "482"), ("Columbus", "OH", "432"), ("Indianapolis", "IN", "462"), ("Louisville", "KY", "402"),
    ("Nashville", "TN", "372"), ("Atlanta", "GA", "303"), ("Charlotte", "NC", "282"), ("Raleigh", "NC", "276"),
    ("Miami", "FL", "331"), ("Orlando", "FL", "328"), ("Tampa", "FL", "336"), ("New Orleans", "LA", "701"),
    ("Richmond", "VA", "232"), ("Baltimore", "MD", "212"), ("Philadelphia", "PA", "191"), ("Pittsburgh", "PA", "152"),
    ("New York", "NY", "100"), ("Brooklyn", "NY", "112"), ("Buffalo", "NY", "142"), ("Boston", "MA", "021"),
    ("Providence", "RI", "029"), ("Hartford", "CT", "061"), ("Burlington", "VT", "054"), ("Portland", "ME", "041"),
]
STREETS = [
    "Maple", "Oak", "Cedar", "Pine", "Elm", "Willow", "Birch", "Lakeview", "Hillcrest", "Sunset", "River",
    "Highland", "Park", "Washington", "Lincoln", "Jefferson", "Franklin", "Chestnut", "Walnut", "Spring",
    "Meadow", "Harbor", "Canyon", "Ridge", "Orchard", "Mill", "Church", "Market", "Union", "Prospect",
]
STREET_KINDS = ["Street", "Avenue", "Road", "Lane", "Drive", "Court", "Boulevard", "Way", "Place", "Terrace"]
EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com"]
CARD_BRANDS = ["visa", "mastercard", "amex", "discover"]
CARRIERS = ["UPS", "FedEx", "USPS", "DHL"]

STATUS_WEIGHTS = {
    "pending": 26,
    "pending (items modified)": 4,
    "processed": 14,
    "delivered": 34,
    "cancelled": 9,
    "return requested": 6,
    "exchange requested": 7,
}
# orders are placed during 2024; open ones recently
DATE_RANGES = {
    "pending": ("2024-11-20", "2024-11-30"),
    "pending (items modified)": ("2024-11-20", "2024-11-30"),
    "processed": ("2024-11-10", "2024-11-25"),
}
DEFAULT_DATES = ("2024-01-05", "2024-11-05")


class _Ids:
    """Unique random numeric ids with a prefix."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def new(self, prefix: str, digits: int) -> str:
        lo, hi = 10 ** (digits - 1), 10**digits - 1
        while True:
            key = f"{prefix}{self.rng.randint(lo, hi)}"
            if key not in self.used:
                self.used.add(key)
                return key


def _money(x: float) -> float:
    return round(x + 1e-9, 2)


def _products(rng: random.Random, ids: _Ids) -> dict[str, Any]:
    products: dict[str, Any] = {}
    for name, category, options, (lo, hi) in CATALOGUE:
        product_id = ids.new("", 8)
        keys = list(options)
        combos = list(itertools.product(*(options[k] for k in keys)))
        n = min(len(combos), rng.randint(5, 14))
        chosen = sorted(rng.sample(range(len(combos)), n))
        base = rng.uniform(lo, hi)
        # later values of a magnitude (capacity, storage...) cost clearly more; of others, a little
        factor = {}
        for k in keys:
            step = rng.uniform(0.08, 0.22) if k in MAGNITUDES or options[k] == YES_NO else rng.uniform(0.0, 0.04)
            for j, v in enumerate(options[k]):
                factor[(k, v)] = 1 + step * j
        variants: dict[str, Any] = {}
        for idx in chosen:
            combo = combos[idx]
            price = base * rng.uniform(0.98, 1.02)
            for k, v in zip(keys, combo):
                price *= factor[(k, v)]
            item_id = ids.new("", 10)
            variants[item_id] = {
                "item_id": item_id,
                "options": dict(zip(keys, combo)),
                "price": _money(price),
                "available": rng.random() < 0.72,
            }
        # every product keeps at least two variants for sale
        vlist = list(variants.values())
        for v in rng.sample(vlist, 2):
            v["available"] = True
        products[product_id] = {"product_id": product_id, "name": name, "category": category, "variants": variants}
    return products


def random_address(rng: random.Random) -> dict[str, str]:
    city, state, zip3 = rng.choice(CITIES)
    r = rng.random()
    if r < 0.55:
        address2 = ""
    elif r < 0.85:
        address2 = f"Apt {rng.randint(1, 40)}{rng.choice('ABCD')}"
    else:
        address2 = f"Suite {rng.randint(1, 9) * 100 + rng.randint(0, 20)}"
    return {
        "address1": f"{rng.randint(1, 9899)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}",
        "address2": address2,
        "city": city,
        "state": state,
        "country": "USA",
        "zip": f"{zip3}{rng.randint(0, 99):02d}",
    }


def _users(rng: random.Random, ids: _Ids, n: int) -> dict[str, Any]:
    users: dict[str, Any] = {}
    emails: set[str] = set()
    name_zips: set[tuple[str, str, str]] = set()
    for _ in range(n):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        slug = f"{first}_{last}".lower().replace("ü", "u")
        while True:
            user_id = f"{slug}_{rng.randint(1000, 9999)}"
            if user_id not in users:
                break
        while True:
            email = f"{first}.{last}{rng.randint(1, 999)}@{rng.choice(EMAIL_DOMAINS)}".lower().replace("ü", "u")
            if email not in emails:
                emails.add(email)
                break
        while True:  # name + zip identifies a user, so it must be unique
            address = random_address(rng)
            if (first, last, address["zip"]) not in name_zips:
                name_zips.add((first, last, address["zip"]))
                break
        saved = [random_address(rng) for _ in range(rng.choice([0, 0, 1, 1, 2]))]
        methods = []
        kinds = rng.choice([["credit_card"], ["credit_card"], ["paypal"], ["gift_card"], ["credit_card", "gift_card"],
                            ["credit_card", "paypal"], ["credit_card", "credit_card"], ["paypal", "gift_card"],
                            ["credit_card", "paypal", "gift_card"], ["credit_card", "credit_card", "gift_card"]])
        for kind in kinds:
            pid = ids.new(f"{kind}_", 7)
            if kind == "credit_card":
                methods.append({"source": kind, "payment_method_id": pid, "brand": rng.choice(CARD_BRANDS),
                                "last_four": f"{rng.randint(0, 9999):04d}"})
            elif kind == "gift_card":
                balance = rng.choice([0, rng.randint(5, 60), rng.randint(20, 200), rng.randint(50, 400)])
                methods.append({"source": kind, "payment_method_id": pid,
                                "balance": _money(balance + rng.randint(0, 99) / 100) if balance else 0.0})
            else:
                methods.append({"source": kind, "payment_method_id": pid, "email": email})
        users[user_id] = {
            "user_id": user_id,
            "first_name": first,
            "last_name": last,
            "email": email,
            "address": address,
            "saved_addresses": saved,
            "payment_methods": methods,
            "order_ids": [],
        }
    return users


def _date(rng: random.Random, start: str, end: str) -> str:
    a, b = dt.date.fromisoformat(start).toordinal(), dt.date.fromisoformat(end).toordinal()
    return dt.date.fromordinal(rng.randint(a, b)).isoformat()


def _orders(rng: random.Random, ids: _Ids, n: int, users: dict[str, Any], products: dict[str, Any]) -> dict[str, Any]:
    orders: dict[str, Any] = {}
    user_ids = list(users)
    product_list = list(products.values())
    variant_lists = {p["product_id"]: list(p["variants"].values()) for p in product_list}
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    # every customer has ordered at least once (while there are enough orders); the rest at random
    owners = rng.sample(user_ids, min(n, len(user_ids)))
    owners += [rng.choice(user_ids) for _ in range(n - len(owners))]
    for owner in owners:
        order_id = ids.new("#R", 7)
        user = users[owner]
        status = rng.choices(statuses, weights)[0]
        placed_on = _date(rng, *DATE_RANGES.get(status, DEFAULT_DATES))
        items = []
        for product in rng.sample(product_list, rng.choice([1, 1, 2, 2, 3, 3, 4, 5])):
            variant = rng.choice(variant_lists[product["product_id"]])
            items.append({"item_id": variant["item_id"], "product_id": product["product_id"], "name": product["name"],
                          "options": dict(variant["options"]), "price": variant["price"]})
        total = _money(sum(i["price"] for i in items))
        method = rng.choice(user["payment_methods"])["payment_method_id"]
        history = [{"kind": "payment", "payment_method_id": method, "amount": total}]
        address = user["address"] if not user["saved_addresses"] or rng.random() < 0.8 else rng.choice(user["saved_addresses"])
        order: dict[str, Any] = {
            "order_id": order_id, "user_id": user["user_id"], "placed_on": placed_on, "status": status,
            "address": dict(address), "items": items, "payment_history": history, "fulfilments": [],
            "cancel_reason": None, "return_details": None, "exchange_details": None,
        }
        if status == "pending (items modified)":
            # an earlier change of items: first paid a different amount, then the difference
            diff = _money(rng.uniform(-25, 25)) or 1.5
            history[0]["amount"] = _money(total - diff)
            history.append({"kind": "payment" if diff > 0 else "refund", "payment_method_id": method, "amount": abs(diff)})
        elif status == "cancelled":
            history.append({"kind": "refund", "payment_method_id": method, "amount": total})
            order["cancel_reason"] = rng.choice(CANCEL_REASONS)
        elif status != "pending":
            item_ids = [i["item_id"] for i in items]
            split = rng.randint(1, len(item_ids) - 1) if len(item_ids) > 1 and rng.random() < 0.3 else len(item_ids)
            for part in (item_ids[:split], item_ids[split:]):
                if part:
                    order["fulfilments"].append({"tracking_id": str(rng.randint(10**11, 10**12 - 1)),
                                                 "carrier": rng.choice(CARRIERS), "item_ids": part})
            if status == "return requested":
                back = rng.sample(items, rng.randint(1, len(items)))
                gift = [m["payment_method_id"] for m in user["payment_methods"] if m["source"] == "gift_card"]
                order["return_details"] = {
                    "item_ids": [i["item_id"] for i in back],
                    "payment_method_id": rng.choice(gift) if gift and rng.random() < 0.3 else method,
                    "refund_amount": _money(sum(i["price"] for i in back)),
                }
            elif status == "exchange requested":
                swappable = [i for i in items if len(variant_lists[i["product_id"]]) > 1]
                if not swappable:
                    order["status"] = "delivered"
                else:
                    old = rng.sample(swappable, rng.randint(1, len(swappable)))
                    new = [rng.choice([v for v in variant_lists[i["product_id"]] if v["item_id"] != i["item_id"]])
                           for i in old]
                    order["exchange_details"] = {
                        "item_ids": [i["item_id"] for i in old],
                        "new_item_ids": [v["item_id"] for v in new],
                        "payment_method_id": rng.choice(user["payment_methods"])["payment_method_id"],
                        "price_difference": _money(sum(v["price"] for v in new) - sum(i["price"] for i in old)),
                    }
        orders[order_id] = order
        user["order_ids"].append(order_id)
    return orders


def generate(seed: int = 0, scale: float = 1.0) -> dict[str, dict[str, Any]]:
    """The retail database as JSON tables: {"users": {...}, "products": {...}, "orders": {...}}."""
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    rng = random.Random(seed)
    ids = _Ids(rng)
    products = _products(rng, ids)
    users = _users(rng, ids, max(1, round(USERS_PER_SCALE * scale)))
    orders = _orders(rng, ids, max(1, round(ORDERS_PER_SCALE * scale)), users, products)
    return {"users": users, "products": products, "orders": orders}


def write(path: Path = DB_PATH, seed: int = 0, scale: float = 1.0) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        json.dump(generate(seed, scale), f, separators=(",", ":"), ensure_ascii=False)
        f.write("\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the retail domain's database.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=DB_PATH)
    args = parser.parse_args()
    out = write(args.out, args.seed, args.scale)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
