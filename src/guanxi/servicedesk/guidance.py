"""Handling guidance shown on every ticket (seed 000 项目三 任务一–三, 002 §3.3): the six
principles of complaint handling, then the checklist of the ticket's tier. Data only, in
our own words; the template tag ``guidance_panel`` shows it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from guanxi.servicedesk.models import Tier


@dataclass(frozen=True)
class Principle:
    code: str
    title: str | Promise
    text: str | Promise


PRINCIPLES: tuple[Principle, ...] = (
    Principle(
        "patience",
        _("耐心"),
        _("先让客户把话说完，不打断、不争辩；复述一遍问题，确认理解无误。"),
    ),
    Principle(
        "attitude",
        _("态度"),
        _("诚恳致歉，站在客户一边看问题；即使责任不在店铺，也先安抚情绪再讲道理。"),
    ),
    Principle(
        "timeliness",
        _("及时"),
        _("尽快首次回复并说明下一步和时间；拖延会让普通投诉升级成维权或差评。"),
    ),
    Principle(
        "wording",
        _("措辞"),
        _("用语得体、简明，不用命令和推诿的口吻；解释平台规则时给出依据。"),
    ),
    Principle(
        "compensation",
        _("补偿"),
        _("店铺有过失时主动给予合理补偿（运费、优惠券、小额退款），弥补客户的损失和不快。"),
    ),
    Principle(
        "options",
        _("多种方案"),
        _("准备两到三种解决办法（退货、换货、补发、部分退款）供客户选择，而不是只给一个。"),
    ),
)


CHECKLISTS: dict[str, tuple[str | Promise, ...]] = {
    Tier.ORDINARY: (
        _("核对订单、物流和聊天记录，弄清问题属于商品、物流还是服务。"),
        _("向客户道歉并说明原因，对照七天无理由等平台规则讲清责任。"),
        _("提出解决方案并确认客户接受；需要补偿时按店铺标准执行。"),
        _("在工单里记录处理经过，解决后回访并邀请评价。"),
    ),
    Tier.DIFFICULT: (
        _("先判断是否属于平台争议范围（维权、退款纠纷、差评），估计被判责和扣分的风险。"),
        _("收集证据：聊天记录、发货和签收凭证、商品照片、质检报告。"),
        _("坚持原则又留余地：在店铺可承受的范围内给出两到三种方案，不一味让步。"),
        _("客户坚持不接受时，请主管评估是否升级或申请平台介入前和解。"),
        _("对差评，先解决问题，再礼貌说明、请客户修改或追评，不诱导、不骚扰。"),
    ),
    Tier.ESCALATED: (
        _("记下平台（或媒体、315）的处理时限，按时限倒排每一步，逾期会直接判店铺败诉。"),
        _("当天通知客服主管，并写明升级原因；对外口径由主管统一。"),
        _("整理完整证据链，按平台要求的格式和时限上传举证。"),
        _("与客户保持沟通，争取在平台判定前达成和解并请客户撤诉。"),
        _("结案后复盘：原因、损失（扣分、赔付）和要改进的流程，写进工单备注。"),
    ),
}


def checklist(tier: str) -> tuple[str | Promise, ...]:
    return CHECKLISTS.get(tier, CHECKLISTS[Tier.ORDINARY])
