"""Client portal pages of the stakeholders app: the organization home."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import ListView

from pmo_service.api.scoping import ScopedQuerysetMixin

from . import selectors
from .models import Membership, Organization
from .tenancy import user_membership


class HomeView(LoginRequiredMixin, ScopedQuerysetMixin, ListView):
    """A client's organization and its members; for PMO staff, every organization.

    Clients see their organization's profile and the people who can sign in for it. Staff
    get a searchable list of client organizations as their starting point. Anonymous
    visitors are sent to the public service catalog.
    """

    template_name = "stakeholders/home.html"
    paginate_by = 25

    def dispatch(self, request, *args, **kwargs):
        # Visitors start at the public catalog; the route is named, not imported, because
        # stakeholders sits below catalog in the app dependency order.
        if not request.user.is_authenticated:
            return redirect(reverse("catalog:home"))
        return super().dispatch(request, *args, **kwargs)

    def _search(self) -> str:
        return self.request.GET.get("q", "").strip()

    def base_queryset(self) -> QuerySet:
        if self.request.user.is_staff:
            return selectors.organization_list(search=self._search())
        membership = user_membership(self.request.user)
        if membership is None:
            return Membership.objects.none()
        return selectors.organization_members(organization=membership.organization)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["staff_view"] = self.request.user.is_staff
        context["search"] = self._search()
        context["organization_total"] = (
            Organization.objects.count() if self.request.user.is_staff else None
        )
        return context
