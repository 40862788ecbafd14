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

    def revoke(self) -> None:
        if self.revoked_at is not None:
            raise ValueError(f"card {self.number} is already revoked")
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    def reset_pin(self, new_pin: str) -> None:
        """A new PIN starts a new count of wrong ones."""
        self.set_pin(new_pin)
        self.failed_attempts = 0
        self.save(update_fields=["pin_hash", "failed_attempts"])

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


class SignInThrottle(models.Model):
    """Failed sign-ins counted against one account or one client address; past the limit,
    sign-ins from it are refused until `locked_until` (or a team leader lifts it).

    One row per account (the username typed, case-folded, whether or not it exists, so a
    lock-out says nothing about which usernames do) and per address (password and card
    tries together: nobody can try a PIN on every card from one terminal). Rows are locked
    while a sign-in is checked, so tries sent in parallel are counted one by one.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", "Account"
        ADDRESS = "address", "Terminal address"

    scope = models.CharField(max_length=8, choices=Scope.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"],
                                               name="one_throttle_per_account_or_address")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.key}"

    def is_locked(self, now) -> bool:
        return self.locked_until is not None and self.locked_until > now

    def record_failure(self, now, *, limit: int, lockout) -> bool:
        """Count a failure; lock at the limit for `lockout` (a timedelta). Failures older
        than a lock-out's length are forgotten first. True only if this one locked it."""
        stale = self.last_failure_at is not None and self.last_failure_at <= now - lockout
        lapsed = self.locked_until is not None and self.locked_until <= now
        if stale or lapsed:
            self.failures, self.locked_until = 0, None
        self.failures += 1
        self.last_failure_at = now
        newly_locked = self.locked_until is None and self.failures >= limit
        if newly_locked:
            self.locked_until = now + lockout
        self.save(update_fields=["failures", "last_failure_at", "locked_until"])
        return newly_locked

    def clear(self) -> None:
        """Forget the failures (a right password, or a lock-out lifted)."""
        self.failures, self.locked_until = 0, None
        self.save(update_fields=["failures", "locked_until"])
