from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from guanxi.core.business_calendar import Schedule, ScheduleError, parse_hours

_HOURS_MESSAGES = {
    "format": _("“%(part)s”不是时间段，请写成 09:00-12:00, 13:30-24:00"),
    "time": _("“%(part)s”不是有效的时刻（00:00–24:00）"),
    "order": _("“%(part)s”结束早于开始；夜班请写成两段，如 20:00-24:00, 00:00-02:00"),
    "overlap": _("“%(part)s”中的时间段相互重叠"),
}


def validate_team(value: str) -> None:
    # "*" starts the reserved unit names of the reports (the shop, agents in no team).
    if value.strip().startswith("*"):
        raise ValidationError(_("客服组名称不能以 * 开头"), code="reserved")


def validate_hours(value: str) -> None:
    try:
        parse_hours(value)
    except ScheduleError as exc:
        raise ValidationError(
            _HOURS_MESSAGES[exc.code], code=exc.code, params={"part": exc.part}
        ) from exc


class Profile(models.Model):
    """What Guanxi adds to a user: the chat-platform agent id behind an agent's figures."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guanxi_profile"
    )
    agent_id = models.CharField(
        _("客服账号"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("The agent id used in chat logs; an agent sees only these figures."),
    )

    class Meta:
        verbose_name = _("用户资料")
        permissions = [
            ("view_shop_figures", _("Can view the shop's figures (dashboard)")),
            ("view_all_agents", _("Can view every agent's figures")),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.agent_id or '-'})"


class LoginAttempt(models.Model):
    """Every login attempt; failures in a window throttle further tries."""

    username = models.CharField(max_length=150, db_index=True)
    client = models.CharField(max_length=64)
    succeeded = models.BooleanField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "client", "at"])]

    def __str__(self) -> str:
        outcome = "ok" if self.succeeded else "failed"
        return f"{self.username} from {self.client} at {self.at:%Y-%m-%d %H:%M}: {outcome}"


class Agent(models.Model):
    """The shop's customer-service roster (客服名单): who answers chats, under which names.

    ``agent_id`` is how chat exports and the lake name the agent; ``nicknames`` are the
    names shown in IM transcripts (one per line or comma-separated), which is how a
    transcript's speaker is known to be an agent rather than a customer.
    """

    agent_id = models.CharField(_("客服账号"), max_length=64, unique=True)
    name = models.CharField(_("姓名"), max_length=40)
    nicknames = models.TextField(_("昵称"), blank=True, default="")
    active = models.BooleanField(_("在职"), default=True)
    # A team (客服组, e.g. 售前组 / 售后组) is just its name: the reports group agents by it
    # and compute the team's own figures; agents with none are reported as 未分组.
    team = models.CharField(
        _("客服组"),
        max_length=40,
        blank=True,
        default="",
        validators=[validate_team],
        help_text=_("如 售前组、售后组；留空表示未分组"),
    )
    # The rota (排班) behind business-time figures; blank workday hours = no schedule.
    workday_hours = models.CharField(
        _("工作日班次"),
        max_length=100,
        blank=True,
        default="",
        validators=[validate_hours],
        help_text=_("如 09:00-12:00, 13:30-24:00；留空表示未排班"),
    )
    restday_hours = models.CharField(
        _("休息日班次"),
        max_length=100,
        blank=True,
        default="",
        validators=[validate_hours],
        help_text=_("周末和法定节假日（按国务院调休安排）；留空表示休息"),
    )

    class Meta:
        ordering = ["agent_id"]
        verbose_name = _("客服")

    def __str__(self) -> str:
        return f"{self.name} ({self.agent_id})"

    @property
    def schedule(self) -> Schedule:
        return Schedule.parse(self.workday_hours, self.restday_hours)

    @property
    def nickname_list(self) -> list[str]:
        parts = self.nicknames.replace("，", ",").replace("\n", ",").split(",")
        return [p.strip() for p in parts if p.strip()]
