"""The four roles and what each may do. Roles are Django groups; permissions are codenames."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ADMIN = "admin"
MANAGER = "manager"
AGENT = "agent"
MARKETING = "marketing"

ROLES: dict[str, tuple[str, ...]] = {
    ADMIN: (
        "accounts.view_shop_figures",
        "accounts.view_all_agents",
        "customers.view_customer",
        "customers.change_customer",
        "customers.reveal_personal",
        "customers.export_customers",
        "customers.change_customerruleset",
        "guanxi_core.view_auditentry",
        "imports.run_import",
        "imports.view_importrun",
        "accounts.change_agent",
        "store.change_industryaverage",
        "performance.change_shopsettings",
        "performance.add_manualscore",
        "privacy.handle_privacyrequest",
        # Segments (客户分群): saved filters with a live count; exports always masked.
        "segments.view_segment",
        "segments.add_segment",
        "segments.change_segment",
        "segments.delete_segment",
        "segments.export_segment",
        # Member tiers (会员等级): bounds, perks, benefits, the monthly job's day.
        "loyalty.change_membersettings",
        # Service desk (客服工作台): every queue, assignment, routing and SLA settings.
        "servicedesk.view_ticket",
        "servicedesk.add_ticket",
        "servicedesk.change_ticket",
        "servicedesk.view_all_tickets",
        "servicedesk.assign_ticket",
        "servicedesk.change_routing",
        # Knowledge base (知识库): Q&A, quick replies, scripts, policies.
        "knowledge.view_entry",
        "knowledge.add_entry",
        "knowledge.change_entry",
        "knowledge.delete_entry",
        # Satisfaction (满意度): surveys, their results, bad-review alerts.
        "satisfaction.view_survey",
        "satisfaction.add_survey",
        "satisfaction.change_survey",
        "satisfaction.delete_survey",
        "satisfaction.view_results",
        "satisfaction.enter_answer",
        "satisfaction.view_reviewalert",
        "satisfaction.change_reviewalert",
        # Customer insight (客户洞察): predictions' runs and results.
        "insight.view_modelrun",
        "insight.run_models",
        # User management (账号管理): add logins, change roles, deactivate, reset passwords.
        "auth.change_user",
    ),
    MANAGER: (
        "accounts.view_shop_figures",
        "accounts.view_all_agents",
        "customers.view_customer",
        "customers.change_customer",
        "customers.reveal_personal",
        "customers.export_customers",
        "customers.change_customerruleset",
        "imports.run_import",
        "imports.view_importrun",
        "accounts.change_agent",
        "store.change_industryaverage",
        "performance.change_shopsettings",
        "performance.add_manualscore",
        # PIPL requests: access export, correction, erasure, the consent register.
        "privacy.handle_privacyrequest",
        # Segments (客户分群): saved filters with a live count; exports always masked.
        "segments.view_segment",
        "segments.add_segment",
        "segments.change_segment",
        "segments.delete_segment",
        "segments.export_segment",
        "loyalty.change_membersettings",
        # Service desk (客服工作台): every queue, assignment, routing and SLA settings.
        "servicedesk.view_ticket",
        "servicedesk.add_ticket",
        "servicedesk.change_ticket",
        "servicedesk.view_all_tickets",
        "servicedesk.assign_ticket",
        "servicedesk.change_routing",
        # Knowledge base (知识库): Q&A, quick replies, scripts, policies.
        "knowledge.view_entry",
        "knowledge.add_entry",
        "knowledge.change_entry",
        "knowledge.delete_entry",
        # Satisfaction (满意度): surveys, their results, bad-review alerts.
        "satisfaction.view_survey",
        "satisfaction.add_survey",
        "satisfaction.change_survey",
        "satisfaction.delete_survey",
        "satisfaction.view_results",
        "satisfaction.enter_answer",
        "satisfaction.view_reviewalert",
        "satisfaction.change_reviewalert",
        # Customer insight (客户洞察): predictions' runs and results.
        "insight.view_modelrun",
        "insight.run_models",
    ),
    # Agents look customers up to serve them; figures: their own only.
    # Service desk: their own and their team's tickets; the knowledge base to answer from.
    AGENT: (
        "customers.view_customer",
        "servicedesk.view_ticket",
        "servicedesk.add_ticket",
        "servicedesk.change_ticket",
        "knowledge.view_entry",
        # Satisfaction: key in a phone interview; answer the bad reviews they are given.
        "satisfaction.view_survey",
        "satisfaction.enter_answer",
        "satisfaction.view_reviewalert",
        "satisfaction.change_reviewalert",
    ),
    # Marketing works on segments and exports, always masked: no reveal permission.
    MARKETING: (
        "accounts.view_shop_figures",
        "customers.view_customer",
        "customers.export_customers",
        # Segments (客户分群): saved filters with a live count; exports always masked.
        "segments.view_segment",
        "segments.add_segment",
        "segments.change_segment",
        "segments.delete_segment",
        "segments.export_segment",
        # Satisfaction: surveys sent to their segments, and what came back.
        "satisfaction.view_survey",
        "satisfaction.add_survey",
        "satisfaction.change_survey",
        "satisfaction.view_results",
        # Customer insight: read the predictions (CLV, churn risk, clusters, bundles).
        "insight.view_modelrun",
    ),
}

LABELS: dict[str, str | Promise] = {
    ADMIN: _("管理员"),
    MANAGER: _("客服主管"),
    AGENT: _("客服"),
    MARKETING: _("营销"),
}
