"""Staff users, their roles, teams and the authorities they act for; ID cards."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils import timezone


class Role(models.TextChoices):
    """A user's roles are Django groups with these names (created by a migration)."""

    ADVISER = "adviser", "Adviser"
    BACK_OFFICE_OFFICER = "back_office_officer", "Back-office officer"
    TEAM_LEADER = "team_leader", "Team leader"
    SERVICE_OWNER = "service_owner", "Service owner"
    COUNCILLOR = "councillor", "Councillor"
    ADMINISTRATOR = "administrator", "Administrator"
    PARTNER_SYSTEM = "partner_system", "Partner system"


class Team(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    authority = models.ForeignKey(
        "authorities.Authority", on_delete=models.PROTECT, related_name="teams"
    )
    # The services whose cases this team works for its authority.
    services = models.ManyToManyField("catalogue.Service", blank=True, related_name="teams")
    # Breached cases are escalated to the leader.
    leader = models.ForeignKey("User", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="teams_led")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    authorities = models.ManyToManyField(
        "authorities.Authority", blank=True, related_name="staff",
        help_text="The authorities this user acts for: they see residents' data only there.",
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="members")

    @property
    def role_names(self) -> frozenset[str]:
        # Cached per request-scoped instance: views ask several times.
        if not hasattr(self, "_role_names"):
            self._role_names = frozenset(self.groups.values_list("name", flat=True))
        return self._role_names

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    def authority_ids(self) -> frozenset[int]:
        if not hasattr(self, "_authority_ids"):
            self._authority_ids = frozenset(self.authorities.values_list("id", flat=True))
        return self._authority_ids


class IdCard(models.Model):
    """A staff ID card used with a PIN to sign in on shared terminals."""

    number = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="id_cards")
    pin_hash = models.CharField(max_length=128)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "ID card"

    def __str__(self) -> str:
        return f"Card {self.number} ({self.user})"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_usable(self) -> bool:
        return not self.is_locked and self.revoked_at is None and self.user.is_active

    def set_pin(self, pin: str) -> None:
        self.pin_hash = make_password(pin)

    def pin_matches(self, pin: str) -> bool:
        return check_password(pin, self.pin_hash)

    # The two methods below expect the caller to hold this card's row lock
    # (select_for_update inside a transaction), so parallel tries count one by one.

    def record_wrong_pin(self) -> bool:
        """Count a wrong PIN; lock the card at the limit. True only if this try locked it."""
        self.failed_attempts += 1
        newly_locked = (self.locked_at is None
                        and self.failed_attempts >= settings.CARD_MAX_FAILED_PINS)
        if newly_locked:
            self.locked_at = timezone.now()
        self.save(update_fields=["failed_attempts", "locked_at"])
        return newly_locked

    def record_right_pin(self) -> None:
        if self.failed_attempts:
            self.failed_attempts = 0
            self.save(update_fields=["failed_attempts"])

    @transaction.atomic
    def unlock(self, new_pin: str | None = None) -> None:
        if not self.is_locked:
            raise ValueError(f"card {self.number} is not locked")
        self.locked_at = None
        self.failed_attempts = 0
        fields = ["locked_at", "failed_attempts"]
        if new_pin:
            self.set_pin(new_pin)
            fields.append("pin_hash")
        self.save(update_fields=fields)
