"""Record types of the airline database, the inputs of its write tools and the models they return.

Five tables:
  - `airports` (keyed by IATA code): where the airline flies;
  - `flights` (keyed by flight number, like "HL104"): the timetable, one route and daily times;
  - `flight_instances` (keyed by "HL104:2025-05-16"): one flight on one date, with its status and,
    while it is on sale, the seats left and the price of every cabin;
  - `users` (keyed by user_id): profile, membership, payment methods, saved passengers;
  - `reservations` (keyed by a six-character code, like "Q7M2KD").

Field names are shared across models on purpose (`user_id`, `reservation_id`, `reservation_ids`,
`flight_number`, `date`, `origin`, `destination`, `payment_method_id`, `cabin`): the API graph
links tools through them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

# The fixed "now" of the world: flights before it have flown, flights after it are on sale.
NOW = datetime(2025, 5, 15, 15, 0)
NOW_ISO = NOW.strftime("%Y-%m-%dT%H:%M:%S")
TODAY = NOW.date().isoformat()
# Flights operate on every date of this window: nine days of history, today, twelve days on sale.
FIRST_DATE = date(2025, 5, 6)
N_DATES = 22
DATES = [(FIRST_DATE + timedelta(days=i)).isoformat() for i in range(N_DATES)]

Cabin = Literal["basic_economy", "economy", "business"]
CABINS: tuple[str, ...] = ("basic_economy", "economy", "business")
Membership = Literal["regular", "silver", "gold"]
FlightType = Literal["one_way", "round_trip"]
FlightStatus = Literal["available", "on time", "delayed", "cancelled", "flying", "landed"]
FLOWN_STATUSES = ("flying", "landed")
ReservationStatus = Literal["active", "cancelled"]
CancelReason = Literal["change of plans", "airline cancelled flight", "health", "family emergency", "other"]
CANCEL_REASONS: tuple[str, ...] = CancelReason.__args__  # type: ignore[attr-defined]
INSURED_REASONS = ("health", "family emergency")
CompensationReason = Literal["cancelled flight", "delayed flight"]

# Money rules (whole US dollars)
INSURANCE_PER_PASSENGER = 30
EXTRA_BAG_FEE = 50
MAX_BAGS_PER_PASSENGER = 5
MAX_PASSENGERS = 5
COMPENSATION_PER_PASSENGER = {"cancelled flight": 100, "delayed flight": 50}
MIN_CONNECTION_MINUTES = 60
# Free checked bags per passenger, by membership level and cabin.
FREE_BAGS: dict[str, dict[str, int]] = {
    "regular": {"basic_economy": 0, "economy": 1, "business": 2},
    "silver": {"basic_economy": 1, "economy": 2, "business": 3},
    "gold": {"basic_economy": 2, "economy": 3, "business": 4},
}


class Airport(BaseModel):
    iata: str
    city: str
    name: str


class Flight(BaseModel):
    """A scheduled flight: the same route and times every day (times are US Eastern)."""

    flight_number: str
    origin: str
    destination: str
    scheduled_departure: str  # "HH:MM"
    scheduled_arrival: str  # "HH:MM", on the departure date plus `arrival_day_offset` days
    arrival_day_offset: int = 0


class FlightInstance(BaseModel):
    """One flight on one date."""

    flight_number: str
    date: str  # "YYYY-MM-DD", the departure date
    status: FlightStatus
    available_seats: dict[Cabin, int]
    prices: dict[Cabin, float]
    estimated_departure: str | None = None  # "YYYY-MM-DDTHH:MM" for delayed and flying flights
    estimated_arrival: str | None = None


class Passenger(BaseModel):
    model_config = ConfigDict(extra="forbid")

    first_name: str
    last_name: str
    dob: str  # "YYYY-MM-DD"


class CreditCard(BaseModel):
    source: Literal["credit_card"] = "credit_card"
    payment_method_id: str
    brand: str
    last_four: str


class TravelCertificate(BaseModel):
    """A single-use voucher: using it consumes it, whatever part of its amount is left."""

    source: Literal["travel_certificate"] = "travel_certificate"
    payment_method_id: str
    amount: float


class TravelCredit(BaseModel):
    """A balance kept on the account: bookings draw on it, refunds go back to it."""

    source: Literal["travel_credit"] = "travel_credit"
    payment_method_id: str
    amount: float


PaymentMethod = Annotated[Union[CreditCard, TravelCertificate, TravelCredit], Field(discriminator="source")]


class User(BaseModel):
    user_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    dob: str
    membership: Membership
    payment_methods: list[PaymentMethod]
    saved_passengers: list[Passenger]
    reservation_ids: list[str]


class Segment(BaseModel):
    """One flight of a reservation and the price paid per passenger for it."""

    flight_number: str
    date: str
    origin: str
    destination: str
    price: float


class Payment(BaseModel):
    """A charge (positive) or a refund (negative) on one payment method."""

    payment_method_id: str
    amount: float


class Reservation(BaseModel):
    reservation_id: str
    user_id: str
    status: ReservationStatus
    origin: str
    destination: str
    flight_type: FlightType
    cabin: Cabin
    flights: list[Segment]
    passengers: list[Passenger]
    payment_history: list[Payment]
    created_at: str  # "YYYY-MM-DDTHH:MM:SS"
    total_baggages: int
    nonfree_baggages: int
    insurance: bool
    compensation_certificate_id: str | None = None


TABLES: dict[str, type[BaseModel]] = {
    "airports": Airport,
    "flights": Flight,
    "flight_instances": FlightInstance,
    "users": User,
    "reservations": Reservation,
}


def instance_key(flight_number: str, date: str) -> str:
    return f"{flight_number}:{date}"


# -- tool inputs -----------------------------------------------------------------------------------
class FlightChoice(BaseModel):
    """A flight on a date, as the agent passes it to book or change a reservation."""

    model_config = ConfigDict(extra="forbid")

    flight_number: str
    date: str


class PaymentSplit(BaseModel):
    """How much of a booking's total one payment method pays."""

    model_config = ConfigDict(extra="forbid")

    payment_method_id: str
    amount: float


# -- tool outputs ----------------------------------------------------------------------------------
class FlightOption(BaseModel):
    """A flight on a date that can be booked, with seats left and prices per passenger by cabin."""

    flight_number: str
    origin: str
    destination: str
    date: str
    scheduled_departure: str
    scheduled_arrival: str
    arrival_day_offset: int
    status: FlightStatus
    available_seats: dict[Cabin, int]
    prices: dict[Cabin, float]


class FlightStatusInfo(BaseModel):
    flight_number: str
    origin: str
    destination: str
    date: str
    status: FlightStatus
    scheduled_departure: str
    scheduled_arrival: str
    arrival_day_offset: int
    estimated_departure: str | None = None
    estimated_arrival: str | None = None
