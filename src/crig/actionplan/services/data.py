"""What a person fills in for an action, shared by the services and the forms."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class MilestoneData:
    title: str
    due_on: datetime.date
    done_on: datetime.date | None = None


@dataclass(frozen=True)
class IndicatorData:
    name: str
    target: Decimal
    current: Decimal = Decimal(0)
    unit: str = ""


@dataclass(frozen=True)
class ActionData:
    category: str
    title: str
    objectives: str
    lead_ids: list[int]  # organisations, at least one
    signatory_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    theme: str = ""
    status: str = "proposed"
    progress: int = 0
    budget: Decimal | None = None
    milestones: list[MilestoneData] = field(default_factory=list)  # in date order
    indicators: list[IndicatorData] = field(default_factory=list)
