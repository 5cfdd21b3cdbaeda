"""Writes for accounts: roles, users, and the login throttle."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts import roles
from guanxi.accounts.models import Agent, LoginAttempt, Profile
from guanxi.core.audit import audit_record, command_line_actor
from guanxi.core.business_calendar import Schedule
from guanxi.core.errors import UserInputError
from guanxi.core.models import AuditAction, AuditEntry

security_log = logging.getLogger("guanxi.security")


@transaction.atomic
def roles_ensure() -> None:
    """Create or update the role groups with exactly their permissions. A change to what an
    existing role may do (an upgrade that redefines it) is audited: the role and the
    permissions added (+) and taken away (-)."""
    for role, codenames in roles.ROLES.items():
        group, created = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        before = set() if created else _dotted(group.permissions.all())
        group.permissions.set(permissions)
        after = _dotted(permissions)
        if not created and before != after:
            changes = [f"+{p}" for p in sorted(after - before)]
            changes += [f"-{p}" for p in sorted(before - after)]
            audit_record(
                actor=None,
                actor_name=command_line_actor(),
                action=AuditAction.PERMISSION_CHANGE,
                fields=" ".join(changes)[:200],
                subject=f"role {role}",
                row_count=len(changes),
            )


def _dotted(permissions: Iterable[Permission]) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


@dataclass(frozen=True)
class NewUser:
    username: str
    role: str
    password: str
    agent_id: str


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    agent_id: str = "",
    password: str | None = None,
) -> NewUser:
    """Create a user in ``role``; without a password, a random one is made and returned once."""
    if role not in roles.ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(roles.ROLES)}")
    password = password or secrets.token_urlsafe(12)
    user = User.objects.create_user(
        username=username, password=password, is_staff=False, is_superuser=False
    )
    group = Group.objects.filter(name=role).first()
    if group is None:  # a home migrated but never set up (`guanxi setup` makes the roles)
        roles_ensure()
        group = Group.objects.get(name=role)
    user.groups.add(group)
    Profile.objects.create(user=user, agent_id=agent_id)
    return NewUser(username=username, role=role, password=password, agent_id=agent_id)


class AccountError(UserInputError):
    """A user-management request that cannot be done (the message says why and what to do)."""


def _actor_name(actor: User | None) -> str:
    """Who made a change: the signed-in user, or ``cli:<system user>`` for ``guanxi users``."""
    if actor is not None:
        return actor.get_username()
    return command_line_actor()


def _audit(*, actor: User | None, action: AuditAction, fields: str, subject: str) -> None:
    """One audit entry for a change to a login: whose, what — never a password."""
    audit_record(
        actor=actor, actor_name=_actor_name(actor), action=action, fields=fields, subject=subject
    )


def role_of(user: User) -> str:
    """The user's role ('' when the user is in no role group)."""
    names = {group.name for group in user.groups.all()}
    return next((role for role in roles.ROLES if role in names), "")


def _check_role(role: str) -> None:
    if role not in roles.ROLES:
        raise AccountError(
            _("没有角色“%(role)s”；可选：%(choices)s")
            % {"role": role, "choices": ", ".join(roles.ROLES)}
        )


def _active_admin_ids() -> list[int]:
    """The active admins, locked until the transaction ends (two admins demoting each
    other at once must not leave the shop with none)."""
    admins = User.objects.select_for_update(of=("self",)).filter(
        groups__name=roles.ADMIN, is_active=True
    )
    return list(admins.values_list("pk", flat=True))


def _refuse_last_admin(user: User) -> None:
    if _active_admin_ids() == [user.pk]:
        raise AccountError(
            _("%(username)s 是唯一启用的管理员：请先让另一个账号成为管理员，再更改或停用它。")
            % {"username": user.get_username()}
        )


@transaction.atomic
def user_add(*, actor: User | None, username: str, role: str, agent_id: str = "") -> NewUser:
    """Add a login for ``role`` with a random password (returned once, never stored in the
    clear or audited). ``agent_id`` must be on the roster (客服名单) when given."""
    username = unicodedata.normalize("NFKC", username.strip())  # one spelling, as login
    agent_id = agent_id.strip()
    _check_role(role)
    if not username:
        raise AccountError(_("请填写用户名。"))
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise AccountError(
            _("用户名“%(username)s”只能包含字母、数字和 @ . + - _") % {"username": username}
        ) from exc
    if len(username) > 150:
        raise AccountError(_("用户名最多 150 个字符。"))
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(_("用户名“%(username)s”已被使用。") % {"username": username})
    if agent_id and not Agent.objects.filter(agent_id=agent_id).exists():
        raise AccountError(
            _("客服账号“%(agent_id)s”不在客服名单中：请先在客服名单中添加。")
            % {"agent_id": agent_id}
        )
    new = user_create(username=username, role=role, agent_id=agent_id)
    fields = f"role={role}" + (f", agent_id={agent_id}" if agent_id else "")
    _audit(actor=actor, action=AuditAction.USER_ADD, fields=fields, subject=username)
    return new


@transaction.atomic
def user_role_change(*, actor: User | None, user: User, role: str) -> None:
    """Put ``user`` in ``role`` (and no other); the last active admin keeps the role."""
    _check_role(role)
    before = role_of(user)
    if before == role:
        return
    if before == roles.ADMIN and user.is_active:
        _refuse_last_admin(user)
    user.groups.remove(*Group.objects.filter(name__in=roles.ROLES))
    user.groups.add(Group.objects.get(name=role))
    _audit(
        actor=actor,
        action=AuditAction.ROLE_CHANGE,
        fields=f"role: {before or '-'} → {role}",
        subject=user.get_username(),
    )


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User) -> None:
    """Stop ``user`` signing in (their sessions end too); history and audit entries stay.
    Refused for the last active admin and for one's own account."""
    if not user.is_active:
        return
    if actor is not None and actor.pk == user.pk:
        raise AccountError(_("不能停用自己的账号：请让另一位管理员操作。"))
    if role_of(user) == roles.ADMIN:
        _refuse_last_admin(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    _audit(
        actor=actor,
        action=AuditAction.USER_DEACTIVATE,
        fields="is_active",
        subject=user.get_username(),
    )


@transaction.atomic
def user_reactivate(*, actor: User | None, user: User) -> None:
    """Let a deactivated ``user`` sign in again, with the password they had."""
    if user.is_active:
        return
    user.is_active = True
    user.save(update_fields=["is_active"])
    _audit(
        actor=actor,
        action=AuditAction.USER_REACTIVATE,
        fields="is_active",
        subject=user.get_username(),
    )


@transaction.atomic
def user_password_reset(*, actor: User | None, user: User) -> str:
    """Give ``user`` a new random password and return it (to be shown once). The old one
    stops working and the user's open sessions end. The audit entry names the field only."""
    password = secrets.token_urlsafe(12)
    user.set_password(password)
    user.save(update_fields=["password"])
    _audit(
        actor=actor,
        action=AuditAction.PASSWORD_RESET,
        fields="password",
        subject=user.get_username(),
    )
    return password


@transaction.atomic
def user_delete(*, actor: User | None, user: User) -> str:
    """Delete a login that never acted; deactivate instead one with history in the audit log
    (the log is append-only and keeps naming who did what, so the account must stay).
    Returns what was done, in words for the admin."""
    username = user.get_username()
    if actor is not None and actor.pk == user.pk:
        raise AccountError(_("不能删除自己的账号：请让另一位管理员操作。"))
    if role_of(user) == roles.ADMIN and user.is_active:
        _refuse_last_admin(user)
    history = AuditEntry.objects.filter(actor_id=user.pk).count()
    if history:
        user_deactivate(actor=actor, user=user)
        return ngettext(
            "%(username)s 有 %(count)d 条审计记录，账号不能删除"
            "（审计日志只增不改，要能说明是谁做的）：已改为停用，无法再登录，记录保留。",
            "%(username)s 有 %(count)d 条审计记录，账号不能删除"
            "（审计日志只增不改，要能说明是谁做的）：已改为停用，无法再登录，记录保留。",
            history,
        ) % {"username": username, "count": history}
    user.delete()
    _audit(actor=actor, action=AuditAction.USER_DELETE, fields="account", subject=username)
    return _("已删除账号 %(username)s。") % {"username": username}


def login_key(username: str) -> str:
    """The one spelling of a username that throttling and login compare: NFKC (so the
    full-width ``ｂｆｕｓｅｒ`` is ``bfuser``, as Django's login form already reads it) and
    case-folded (``BFUser`` is ``bfuser``)."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


class LockoutScope(StrEnum):
    """What a lock-out covers: one login, one client address, or every login attempt."""

    USER = "user"
    CLIENT = "client"
    ALL = "all"


def _recent_failures() -> QuerySet[LoginAttempt]:
    since = timezone.now() - dt.timedelta(seconds=settings.GUANXI_LOGIN_LOCKOUT_SECONDS)
    return LoginAttempt.objects.filter(succeeded=False, at__gte=since)


def login_lockout(*, username: str, client: str) -> LockoutScope | None:
    """The lock-out an attempt for ``username`` from ``client`` falls under, or None.

    Three limits in the lock-out window: failures for this login from any address (a
    spelling of the name counts as the name), failures from this address for any login,
    and failures of everyone together (a guesser spread over many addresses and names).
    """
    recent = _recent_failures()
    if recent.filter(username=login_key(username)).count() >= settings.GUANXI_LOGIN_MAX_FAILURES:
        return LockoutScope.USER
    per_client = settings.GUANXI_LOGIN_MAX_FAILURES_PER_CLIENT
    if client and recent.filter(client=client).count() >= per_client:
        return LockoutScope.CLIENT
    if recent.count() >= settings.GUANXI_LOGIN_MAX_FAILURES_GLOBAL:
        return LockoutScope.ALL
    return None


def login_is_throttled(*, username: str, client: str) -> bool:
    """True when an attempt for this username from this client is locked out."""
    return login_lockout(username=username, client=client) is not None


def login_attempt_record(*, username: str, client: str, succeeded: bool) -> None:
    """Record an attempt under the normalised name and put it in the audit log (a sign-in
    names the user, a failed one the name that was tried, never the password). A success
    clears the login's failures; a failure that starts a lock-out is logged
    (``guanxi.security``) with its scope."""
    key = login_key(username)
    LoginAttempt.objects.create(username=key, client=client, succeeded=succeeded)
    typed = unicodedata.normalize("NFKC", username).strip()
    user = User.objects.filter(username=typed).first() if succeeded else None
    audit_record(
        actor=user,
        actor_name=typed[:150],
        action=AuditAction.LOGIN if succeeded else AuditAction.LOGIN_FAILED,
        fields="session" if succeeded else "password",
        subject=typed[:200],
    )
    if succeeded:
        LoginAttempt.objects.filter(username=key, succeeded=False).delete()
        return
    scope = login_lockout(username=key, client=client)
    if scope is None:
        return
    recent = _recent_failures()
    counts = {
        LockoutScope.USER: (recent.filter(username=key), settings.GUANXI_LOGIN_MAX_FAILURES),
        LockoutScope.CLIENT: (
            recent.filter(client=client),
            settings.GUANXI_LOGIN_MAX_FAILURES_PER_CLIENT,
        ),
        LockoutScope.ALL: (recent, settings.GUANXI_LOGIN_MAX_FAILURES_GLOBAL),
    }
    failures, limit = counts[scope]
    if failures.count() == limit:  # this failure reached the limit: the lock-out starts now
        security_log.warning(
            "login lock-out (%s): username=%r client=%s after %d failures in %d s",
            scope.value,
            key,
            client or "-",
            limit,
            settings.GUANXI_LOGIN_LOCKOUT_SECONDS,
        )


@transaction.atomic
def agents_ensure(roster: list[tuple[str, str]]) -> int:
    """Add (agent_id, nickname) pairs missing from the roster; returns how many were added."""
    existing = set(Agent.objects.values_list("agent_id", flat=True))
    new = [
        Agent(agent_id=agent_id, name=nickname, nicknames=nickname)
        for agent_id, nickname in roster
        if agent_id not in existing
    ]
    Agent.objects.bulk_create(new)
    return len(new)


def rotas_fill(rotas: dict[str, tuple[str, str]]) -> int:
    """Give agents without a rota the (workday, rest-day) hours of ``rotas``; a rota set by
    the manager is never overwritten. Returns how many agents got one."""
    filled = 0
    for agent_id, (workday, restday) in rotas.items():
        Schedule.parse(workday, restday)  # a bad rota is a programming error: fail loudly
        filled += Agent.objects.filter(
            agent_id=agent_id, workday_hours="", restday_hours=""
        ).update(workday_hours=workday, restday_hours=restday)
    return filled


def teams_fill(teams: dict[str, str]) -> int:
    """Put agents in no team into the team ``teams`` names for them; a team set by the
    manager is never overwritten. Returns how many agents got one."""
    filled = 0
    for agent_id, team in teams.items():
        filled += Agent.objects.filter(agent_id=agent_id, team="").update(team=team)
    return filled
