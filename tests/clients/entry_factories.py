"""One record of each kind of department data, for the data-entry page tests."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from clients.models import Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey


@dataclass
class Records:
    client: Client
    contract: Contract
    revenue: RevenueEntry
    complaint: Complaint
    survey: SatisfactionSurvey

    def of(self, kind):
        return {
            "clients": self.client,
            "contracts": self.contract,
            "revenue": self.revenue,
            "complaints": self.complaint,
            "surveys": self.survey,
        }[kind]


# The text each kind's list shows for the record above (its natural key).
KEYS = {
    "clients": "C-0001",
    "contracts": "HT-2026-001",
    "revenue": "R-0001",
    "complaints": "TS-0001",
    "surveys": "MY-0001",
}


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


def make_records(firm):
    client = Client.objects.create(
        code="C-0001", name="上海远景科技有限公司", kind=Client.Kind.ORGANISATION, created_on=datetime.date(2026, 7, 2)
    )
    contract = Contract.objects.create(
        number="HT-2026-001",
        client=client,
        signed_on=datetime.date(2026, 7, 3),
        originating_lawyer=firm.lawyer.profile,
        responsible_lawyer=firm.superior.profile,
        matter="合同纠纷",
        fee=Decimal("50000.00"),
    )
    revenue = RevenueEntry.objects.create(
        ref="R-0001",
        contract=contract,
        received_on=datetime.date(2026, 7, 20),
        amount=Decimal("20000.00"),
        credited_to=firm.lawyer.profile,
    )
    complaint = Complaint.objects.create(
        ref="TS-0001",
        client=client,
        about=firm.lawyer.profile,
        received_at=at(datetime.date(2026, 8, 1)),
        handler=firm.executor.profile,
        channel=Complaint.Channel.PHONE,
    )
    survey = SatisfactionSurvey.objects.create(
        ref="MY-0001",
        client=client,
        staff=firm.lawyer.profile,
        surveyed_on=datetime.date(2026, 8, 5),
        channel=SatisfactionSurvey.Channel.PHONE,
        service_quality=5,
        communication=4,
        outcome=4,
    )
    return Records(client, contract, revenue, complaint, survey)
