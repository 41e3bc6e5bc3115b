"""Department data (regulation 三.3): clients, engagement contracts, revenue, complaints and surveys."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reviews.models import StaffProfile

# Default deadline for handling a complaint; the scheme may tune it per quarter.
COMPLAINT_DEADLINE = datetime.timedelta(hours=48)


class Client(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ORGANISATION = "organisation", _("Organisation")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    referred_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("referred by"),
    )
    created_on = models.DateField(_("created on"), default=datetime.date.today)

    class Meta:
        ordering = ["code"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        # The client list shows the newest clients first (clients.selectors.KINDS), read from this index.
        indexes = [models.Index(fields=["-created_on", "-id"], name="client_list_order_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(referred_by=F("id")), name="client_not_referred_by_itself"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Contract(models.Model):
    """An engagement contract (委托合同); regulation 三.2 counts a new client once one is signed."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        TERMINATED = "terminated", _("Terminated")

    number = models.CharField(_("contract number"), max_length=40, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("client"))
    signed_on = models.DateField(_("signed on"))
    originating_lawyer = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="originated_contracts",
        verbose_name=_("originating lawyer"),
    )
    responsible_lawyer = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        related_name="responsible_contracts",
        verbose_name=_("responsible lawyer"),
    )
    matter = models.CharField(_("matter"), max_length=300)
    fee = models.DecimalField(_("fee"), max_digits=14, decimal_places=2)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "number"]
        verbose_name = _("engagement contract")
        verbose_name_plural = _("engagement contracts")
        # The list's default order (newest first, then number) read straight from one index, quarter filter too.
        indexes = [
            models.Index(fields=["-signed_on", "number"], name="contract_list_order_idx"),
            models.Index(fields=["client", "signed_on"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(fee__gte=Decimal("0")), name="contract_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("signed_on")),
                name="contract_closed_after_signed",
            ),
        ]

    def __str__(self):
        return self.number


class RevenueEntry(models.Model):
    """Money received on a contract (finance department), credited to one person."""

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="revenue", verbose_name=_("contract"))
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    credited_to = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="revenue_credits", verbose_name=_("credited to")
    )

    class Meta:
        ordering = ["-received_on", "ref"]
        verbose_name = _("revenue entry")
        verbose_name_plural = _("revenue entries")
        indexes = [models.Index(fields=["-received_on", "ref"], name="revenue_list_order_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="revenue_amount_positive"),
        ]

    def __str__(self):
        return self.ref


class Complaint(models.Model):
    """A client complaint (administrative department); regulation 三.2 feedback indicators."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        LETTER = "letter", _("Letter")
        IN_PERSON = "in_person", _("In person")
        WEB = "web", _("Web")

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("client"))
    about = models.ForeignKey(
        StaffProfile, on_delete=models.PROTECT, related_name="complaints_about", verbose_name=_("about")
    )
    received_at = models.DateTimeField(_("received at"))
    handler = models.ForeignKey(
        StaffProfile,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints_handled",
        verbose_name=_("handler"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.PHONE)

    class Meta:
        ordering = ["-received_at", "ref"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["-received_at", "ref"], name="complaint_list_order_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | Q(handled_at__gte=F("received_at")),
                name="complaint_handled_after_received",
            ),
        ]

    def __str__(self):
        return self.ref

    @property
    def is_open(self):
        """Still waiting for a resolution."""
        return self.handled_at is None

    def handled_in_time(self, deadline=COMPLAINT_DEADLINE):
        """Handled within the deadline after it was received."""
        return self.handled_at is not None and self.handled_at - self.received_at <= deadline

    @property
    def handled_late(self):
        """Handled, but later than the deadline after it was received."""
        return self.handled_at is not None and not self.handled_in_time()

    def overdue(self, now, deadline=COMPLAINT_DEADLINE):
        """Still open when the deadline after it was received has passed."""
        return self.handled_at is None and now - self.received_at > deadline


SCORE_RANGE = Q(service_quality__gte=1, service_quality__lte=5, communication__gte=1, communication__lte=5) & Q(
    outcome__gte=1, outcome__lte=5
)


class SatisfactionSurvey(models.Model):
    """A client's satisfaction answer on three dimensions (regulation 三.2 客户满意度), 1–5 each."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone follow-up")
        QUESTIONNAIRE = "questionnaire", _("Questionnaire")
        WEB = "web", _("Web questionnaire")

    ref = models.CharField(_("reference"), max_length=40, unique=True)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("client"))
    staff = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("staff"))
    surveyed_on = models.DateField(_("surveyed on"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    service_quality = models.PositiveSmallIntegerField(_("service quality"))
    communication = models.PositiveSmallIntegerField(_("communication efficiency"))
    outcome = models.PositiveSmallIntegerField(_("case outcome"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-surveyed_on", "ref"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        indexes = [models.Index(fields=["-surveyed_on", "ref"], name="survey_list_order_idx")]
        constraints = [models.CheckConstraint(condition=SCORE_RANGE, name="survey_scores_1_to_5")]

    def __str__(self):
        return self.ref

    @property
    def mean_score(self):
        """Mean of the three dimensions on the 1–5 scale."""
        return Decimal(self.service_quality + self.communication + self.outcome) / 3


class ChangeRecord(models.Model):
    """Who changed which record, when and what: every edit of department data leaves one."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        IMPORT_CREATE = "import_create", _("Created by import")
        IMPORT_UPDATE = "import_update", _("Changed by import")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=40)
    record = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"]), models.Index(fields=["at"])]
        verbose_name = _("change record")
        verbose_name_plural = _("change records")

    def __str__(self):
        return f"{self.action} {self.object_repr}"


class DataDelivery(models.Model):
    """A data department's word that its data for a quarter is complete (regulation 二.3: deliver on time; 三.3:
    which department delivers what). A withdrawn mark is kept with who withdrew it and when; at most one mark per
    department and quarter stands at a time."""

    quarter = models.ForeignKey(
        "reviews.Quarter", on_delete=models.PROTECT, related_name="data_deliveries", verbose_name=_("quarter")
    )
    department = models.ForeignKey(
        "reviews.Department", on_delete=models.PROTECT, related_name="data_deliveries", verbose_name=_("department")
    )
    # The kinds of data the department delivered, as they were when it marked (reviews.roles).
    kinds = models.JSONField(_("kinds of data"), default=list)
    note = models.CharField(_("note"), max_length=500, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("marked by")
    )
    marked_at = models.DateTimeField(_("marked at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-marked_at", "-id"]
        verbose_name = _("data delivery")
        verbose_name_plural = _("data deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["quarter", "department"],
                condition=Q(withdrawn_at__isnull=True),
                name="one_standing_delivery_per_department",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("marked_at")),
                name="delivery_withdrawn_after_marked",
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.quarter}"

    @property
    def standing(self):
        """Not withdrawn."""
        return self.withdrawn_at is None
