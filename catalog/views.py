"""Portal pages of the catalog: the public catalog, a service, and the client's requests.

These are interfaces: reads go through ``selectors`` scoped with ``for_user``
(pmo_service.api.scoping), writes through ``services``. Nothing here decides visibility.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import DetailView, FormView, ListView

from pmo_service.api.scoping import ScopedQuerysetMixin, scope_queryset
from pmo_service.portal import ForgivingPaginationMixin
from stakeholders.tenancy import user_membership

from . import selectors, services
from .choices import CriterionKind
from .forms import CatalogFilterForm, RequestFilterForm, ServiceRequestForm, tier_price_text
from .models import Service, ServiceRequest


def _open_request_for(user, service: Service) -> ServiceRequest | None:
    """The viewer's organization's open request for ``service``, if it has one."""
    if not user.is_authenticated or user.is_staff:
        return None
    return scope_queryset(selectors.service_open_requests(service=service), user).first()


def _request_refusal(user) -> str:
    """Why ``user`` may not request services, or "" if they may."""
    try:
        services.service_request_check_requester(user=user)
    except PermissionDenied as refusal:
        return str(refusal)
    return ""


class CatalogView(ForgivingPaginationMixin, ScopedQuerysetMixin, ListView):
    """The catalog of PMO services: search, filters and a grid of service cards."""

    template_name = "catalog/home.html"
    context_object_name = "services"
    paginate_by = 12

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        options = selectors.catalog_filter_options()
        self.filter_form = CatalogFilterForm(
            request.GET or None,
            categories=options["categories"],
            value_processes=options["value_processes"],
        )
        self.filters = self.filter_form.filters() if self.filter_form.is_bound else {}

    def base_queryset(self) -> QuerySet[Service]:
        return selectors.service_list(**self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filtered = any(self.filters.values())
        context.update(
            filter_form=self.filter_form,
            filtered=filtered,
            # Without filters the page's own count is the catalog's size: no second count.
            catalog_total=(
                scope_queryset(Service.objects.all(), self.request.user).count()
                if filtered else context["paginator"].count
            ),
        )
        return context


class ServiceDetailView(ScopedQuerysetMixin, DetailView):
    """Everything a client needs to decide on a service, and the way to request it."""

    template_name = "catalog/service_detail.html"
    context_object_name = "service"

    def base_queryset(self) -> QuerySet[Service]:
        return selectors.service_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service = self.object
        user = self.request.user
        criteria = list(service.criteria.all())
        price_unit = service.price_unit
        context.update(
            tiers=[
                (tier, tier_price_text(price=tier.price, unit=price_unit))
                for tier in service.tiers.all()
            ],
            criteria_groups=[
                (kind.label, [criterion for criterion in criteria if criterion.kind == kind])
                for kind in CriterionKind
                if any(criterion.kind == kind for criterion in criteria)
            ],
            request_url=reverse("catalog:service-request", kwargs={"slug": service.slug}),
            open_request=_open_request_for(user, service),
            request_refusal=_request_refusal(user) if user.is_authenticated else "",
        )
        return context


class ServiceRequestCreateView(LoginRequiredMixin, FormView):
    """A client user asks for a service: tier, desired start, context and expected outcomes.

    Who may request is decided by ``services.service_request_check_requester``; anyone else
    gets a 403 page that says why, instead of a form they cannot submit.
    """

    template_name = "catalog/request_form.html"
    form_class = ServiceRequestForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.service = get_object_or_404(
            scope_queryset(Service.objects.select_related("category"), request.user),
            slug=kwargs["slug"],
        )
        refusal = _request_refusal(request.user)
        if refusal:
            return self.refuse(refusal)
        self.open_request = _open_request_for(request.user, self.service)
        return super().dispatch(request, *args, **kwargs)

    def refuse(self, reason: str) -> HttpResponse:
        return render(
            self.request, "catalog/request_not_allowed.html",
            {"service": self.service, "reason": reason}, status=403,
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "service": self.service}

    def get_initial(self):
        # "Choose this level" links on the service page pass ?tier=<level>.
        level = self.request.GET.get("tier", "")
        tiers = list(self.service.tiers.all())
        tier = next((tier for tier in tiers if tier.level == level), None)
        if tier is None and len(tiers) == 1:
            tier = tiers[0]
        return {"tier": tier} if tier else {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            service=self.service, open_request=self.open_request, **kwargs
        )

    def form_valid(self, form):
        try:
            service_request = services.service_request_submit(
                user=self.request.user, service=self.service, **form.cleaned_data
            )
        except ValidationError as error:
            form.apply_service_errors(error)
            return self.form_invalid(form)
        except IntegrityError:
            # Two submissions at once: the database's one-open-request rule decided.
            form.add_error(None, "Your organization already has an open request for this "
                                 "service; PMO staff answer it before a new one can be made.")
            return self.form_invalid(form)
        except PermissionDenied as refusal:
            return self.refuse(str(refusal))
        messages.success(
            self.request,
            f"Your request for {self.service.name} was submitted. The PMO team will review it "
            "and e-mail you when its status changes.",
        )
        return redirect("catalog:request-detail", pk=service_request.pk)


class RequestListView(
    LoginRequiredMixin, ForgivingPaginationMixin, ScopedQuerysetMixin, ListView
):
    """“My requests”: the organization's service requests, filterable by status and author.

    PMO staff work on requests in the admin, so they are sent there.
    """

    template_name = "catalog/request_list.html"
    context_object_name = "service_requests"
    paginate_by = 20

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.is_staff:
            # Resolved here, not at import: the admin registers this route.
            return redirect(reverse("admin:catalog_servicerequest_changelist"))
        return super().dispatch(request, *args, **kwargs)

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.filter_form = RequestFilterForm(request.GET or None)
        self.filters = (
            self.filter_form.filters() if self.filter_form.is_bound
            else {"status": "", "mine": False}
        )

    def base_queryset(self) -> QuerySet[ServiceRequest]:
        return selectors.service_request_list(
            status=self.filters["status"],
            requested_by_id=self.request.user.pk if self.filters["mine"] else None,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form,
            filtered=bool(self.filters["status"] or self.filters["mine"]),
            has_organization=user_membership(self.request.user) is not None,
            **kwargs,
        )


class RequestDetailView(LoginRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One request of the viewer's organization: its status, decision and history."""

    template_name = "catalog/request_detail.html"
    context_object_name = "service_request"

    def base_queryset(self) -> QuerySet[ServiceRequest]:
        return selectors.service_request_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        service_request = self.object
        context.update(
            # A retired service stays on its requests but no longer has a catalog page.
            service_visible=scope_queryset(
                Service.objects.filter(pk=service_request.service_id), self.request.user
            ).exists(),
            tier_price=tier_price_text(
                price=service_request.tier.price, unit=service_request.service.price_unit
            ),
        )
        return context
