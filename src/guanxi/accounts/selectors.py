"""Reads for accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from guanxi.accounts.models import Profile


def agent_id_of(user: AbstractBaseUser | AnonymousUser) -> str:
    """The chat agent id linked to ``user`` ('' when none)."""
    if not user.is_authenticated:
        return ""
    profile = Profile.objects.filter(user_id=user.pk).only("agent_id").first()
    return profile.agent_id if profile else ""
