"""Admin of the matching weights (one row) and of global staffing proposals.

Weights change through ``matching_weights_update``. A proposal is computed over every open
need with "Compute proposal" (``proposal_create``); its page lists each line (need, proposed
consultant, score, the greedy pick) with the totals, and accepts all or the selected lines
in one action (``proposal_accept``), reporting each line applied or refused with its reason.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from pmo_service.admin_helpers import SERVICE_ERRORS, ServiceAdminMixin, error_text
from pmo_service.admin_history import NoRevertHistoryAdmin

from .. import selectors, services
from ..choices import MatchFactor, ProposalStatus
from ..models import MatchingWeights, StaffingProposal

WEIGHT_FIELDS = [factor.value for factor in MatchFactor]


@admin.register(MatchingWeights)
class MatchingWeightsAdmin(ServiceAdminMixin, NoRevertHistoryAdmin):
    """The one set of weights: its list leads to its page; it is never added twice or
    deleted (the engine falls back to the documented defaults only before it exists)."""

    fieldsets = [
        ("Weights", {
            "description": "Relative weights of the match factors (0-100): the score is the "
            "weighted mean of the factors, so only their proportions matter. At least one "
            "must be above zero.",
            "fields": WEIGHT_FIELDS,
        }),
        ("Record", {"fields": ["updated_by", "updated_at"]}),
    ]
    readonly_fields = ["updated_by", "updated_at"]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if MatchingWeights.objects.filter(pk=1).exists():
            return HttpResponseRedirect(reverse("admin:engagements_matchingweights_change",
                                                args=[1]))
        return HttpResponseRedirect(reverse("admin:engagements_matchingweights_add"))

    def has_add_permission(self, request) -> bool:
        return not MatchingWeights.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through_service(self, *, actor, instance, data):
        weights = {name: data[name] for name in WEIGHT_FIELDS if name in data}
        return services.matching_weights_update(actor=actor, **weights)

    def response_post_save_change(self, request, obj):
        # There is no list to go back to: stay on the weights.
        return HttpResponseRedirect(request.path)

    def response_post_save_add(self, request, obj):
        return HttpResponseRedirect(
            reverse("admin:engagements_matchingweights_change", args=[obj.pk])
        )


@admin.register(StaffingProposal)
class StaffingProposalAdmin(admin.ModelAdmin):
    """Proposals are computed, never typed in; accepting is their only change."""

    list_display = [
        "__str__", "created_at", "created_by", "status", "needs_considered", "needs_filled",
        "total_score", "greedy_total_score", "improvement",
    ]
    list_filter = ["status", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["lines__need__engagement__title", "lines__consultant__full_name"]
    change_list_template = "admin/engagements/staffingproposal/change_list.html"
    change_form_template = "admin/engagements/staffingproposal/change_form.html"
    fieldsets = [
        (None, {"fields": ["status", "created_by", "created_at", "solve_ms", "weights"]}),
        ("Totals", {"fields": [
            "needs_considered", "needs_filled", "greedy_needs_filled", "total_score",
            "greedy_total_score", "improvement",
        ]}),
    ]
    readonly_fields = [
        "status", "created_by", "created_at", "solve_ms", "weights", "needs_considered",
        "needs_filled", "greedy_needs_filled", "total_score", "greedy_total_score",
        "improvement",
    ]

    @admin.display(description="Improvement over greedy")
    def improvement(self, proposal: StaffingProposal) -> str:
        gain = proposal.total_score - proposal.greedy_total_score
        if not proposal.greedy_total_score:
            return f"{gain:+.2f} points"
        share = gain / proposal.greedy_total_score * 100
        return f"{gain:+.2f} points ({share:+.1f}%)"

    def has_add_permission(self, request) -> bool:
        return False  # "Compute proposal" makes them

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_compute": self.has_change_permission(request)}
        return super().changelist_view(request, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        lines = []
        if proposal is not None:
            lines = list(selectors.proposal_list().get(pk=proposal.pk).lines.all())
        extra_context = {
            **(extra_context or {}),
            "lines": lines,
            "can_accept": (
                proposal is not None and proposal.status == ProposalStatus.PROPOSED
                and self.has_change_permission(request, proposal)
            ),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("compute/", wrap(self.compute_view),
                 name="engagements_staffingproposal_compute"),
            path("<path:object_id>/accept/", wrap(self.accept_view),
                 name="engagements_staffingproposal_accept"),
            *super().get_urls(),
        ]

    def compute_view(self, request):
        """Compute a proposal over every open need (POST), then show it."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            raise PermissionDenied
        try:
            with transaction.atomic():
                proposal = services.proposal_create(actor=request.user)
        except SERVICE_ERRORS as error:
            self.message_user(request, f"No proposal computed: {error_text(error)}",
                              messages.ERROR)
            return HttpResponseRedirect(reverse("admin:engagements_staffingproposal_changelist"))
        self.message_user(
            request,
            f"{proposal} computed in {proposal.solve_ms} ms: {proposal.needs_filled} of "
            f"{proposal.needs_considered} open needs filled. Review the lines, then accept.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(
            reverse("admin:engagements_staffingproposal_change", args=[proposal.pk])
        )

    def accept_view(self, request, object_id):
        """Accept every line ("accept_all") or the selected ones ("line")."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = get_object_or_404(
            StaffingProposal, pk=object_id if str(object_id).isdigit() else None
        )
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        back = HttpResponseRedirect(
            reverse("admin:engagements_staffingproposal_change", args=[proposal.pk])
        )
        if "accept_all" in request.POST:
            line_ids = None
        else:
            raw = request.POST.getlist("line")
            line_ids = [int(value) for value in raw if value.isdigit()]
            if not line_ids:
                self.message_user(request, "Select the lines to accept, or accept all.",
                                  messages.ERROR)
                return back
        try:
            with transaction.atomic():
                result = services.proposal_accept(
                    proposal=proposal, actor=request.user, line_ids=line_ids
                )
        except SERVICE_ERRORS as error:
            self.message_user(request, f"Nothing accepted: {error_text(error)}",
                              messages.ERROR)
            return back
        if result.applied:
            names = "; ".join(f"{line.need} → {line.consultant}" for line in result.applied)
            self.message_user(request, f"{len(result.applied)} line(s) applied: {names}.",
                              messages.SUCCESS)
        for line, reason in result.failed:
            self.message_user(request, f"Not applied: {line.need} → {line.consultant}: {reason}",
                              messages.ERROR)
        return back
