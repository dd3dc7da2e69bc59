"""Portal pages of the catalog: the public catalog, a service page, the request form and the
client's requests. Behaviour is checked through the pages, as a browser would see them."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalog.choices import (
    CriterionKind,
    Direction,
    PricingBasis,
    RequestStatus,
    ServiceStatus,
    TierLevel,
    Typology,
)
from catalog.models import ServiceRequest
from tests.factories import (
    CategoryFactory,
    CertificationFactory,
    ClientUserFactory,
    CriterionFactory,
    IndicatorFactory,
    PublishedServiceFactory,
    ServiceFactory,
    ServiceRequestFactory,
    ServiceRoleFactory,
    ServiceRoleSkillFactory,
    ServiceTierFactory,
    SkillFactory,
    ValueProcessFactory,
)

pytestmark = pytest.mark.django_db

CATALOG = reverse("catalog:home")
REQUESTS = reverse("catalog:request-list")


def _text(response) -> str:
    """The page's visible text, tags removed and spaces collapsed, for phrase assertions."""
    markup = response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _detail(service) -> str:
    return reverse("catalog:service-detail", kwargs={"slug": service.slug})


def _request_form(service) -> str:
    return reverse("catalog:service-request", kwargs={"slug": service.slug})


def _in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _names(response) -> set[str]:
    return {service.name for service in response.context["services"]}


@pytest.fixture
def read_only_user(org_a):
    return ClientUserFactory(membership__organization=org_a, membership__role="read_only")


@pytest.fixture
def catalog():
    """Three published services with distinctive words, a draft and a retired one."""
    governance = CategoryFactory(name="Governance", slug="governance")
    delivery = CategoryFactory(name="Delivery support", slug="delivery-support")
    planning = ValueProcessFactory(name="Strategic planning", slug="strategic-planning")
    demand = ValueProcessFactory(name="Demand management", slug="demand-management")
    reporting = PublishedServiceFactory(
        name="Portfolio reporting", slug="portfolio-reporting", typology=Typology.SUPPORTIVE,
        category=governance, summary="A monthly dashboard of every project.",
        description="We collect status from project managers.",
    )
    reporting.value_processes.add(planning)
    audit = PublishedServiceFactory(
        name="Stage gate audits", slug="stage-gate-audits", typology=Typology.CONTROLLING,
        category=governance, summary="Independent checks at each gate.",
        description="Auditors review the zebracorn evidence pack.",
    )
    audit.value_processes.add(demand)
    PublishedServiceFactory(
        name="Project rescue", slug="project-rescue", typology=Typology.DIRECTIVE,
        category=delivery, summary="A quokkalith team takes over a troubled project.",
        typical_duration_weeks=None,
    )
    ServiceFactory(name="Secret draft service", slug="secret-draft")
    PublishedServiceFactory(
        name="Old retired service", slug="old-retired", status=ServiceStatus.RETIRED
    )
    return {"reporting": reporting, "audit": audit}


# --- Catalog home ------------------------------------------------------------------------------


@pytest.mark.parametrize("as_client", [False, True], ids=["anonymous", "client"])
def test_catalog_lists_published_services_only(client, catalog, user_a, as_client):
    if as_client:
        client.force_login(user_a)
    response = client.get(CATALOG)
    assert response.status_code == 200
    assert _names(response) == {"Portfolio reporting", "Stage gate audits", "Project rescue"}
    text = _text(response)
    assert "Secret draft service" not in text
    assert "Old retired service" not in text
    assert "3 services" in text
    assert "Ongoing" in text  # the rescue service has no typical duration
    assert "12 weeks" in text
    assert "Strategic planning" in text


def test_staff_see_drafts_in_the_catalog_marked_as_such(client, catalog, staff_user):
    client.force_login(staff_user)
    response = client.get(CATALOG)
    assert "Secret draft service" in _names(response)
    assert "badge-status-draft" in response.content.decode()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("portfolio", {"Portfolio reporting"}),  # name
        ("dashboard", {"Portfolio reporting"}),  # summary
        ("zebracorn", {"Stage gate audits"}),  # description
        ("QUOKKALITH", {"Project rescue"}),  # case-insensitive
        ("monthly zebracorn", set()),  # every word must match
    ],
)
def test_search_matches_name_summary_and_description(client, catalog, words, expected):
    response = client.get(CATALOG, {"q": words})
    assert _names(response) == expected
    assert f"{len(expected)} of 3 services match" in _text(response)


def test_filters_by_typology_category_and_value_process(client, catalog):
    assert _names(client.get(CATALOG, {"typology": "controlling"})) == {"Stage gate audits"}
    assert _names(client.get(CATALOG, {"category": "governance"})) == {
        "Portfolio reporting", "Stage gate audits"
    }
    assert _names(client.get(CATALOG, {"value_process": "strategic-planning"})) == {
        "Portfolio reporting"
    }
    combined = client.get(CATALOG, {"category": "governance", "typology": "supportive"})
    assert _names(combined) == {"Portfolio reporting"}
    text = _text(combined)
    assert "1 of 3 services match" in text
    assert "Clear filters" in text


def test_no_match_shows_an_empty_state_with_a_way_back(client, catalog):
    response = client.get(CATALOG, {"q": "nothing-like-this-anywhere"})
    text = _text(response)
    assert "0 of 3 services match" in text
    assert "No service matches these filters" in text
    assert f'href="{CATALOG}"' in response.content.decode()


def test_empty_catalog_says_so(client, db):
    text = _text(client.get(CATALOG))
    assert "0 services" in text
    assert "The catalog is being prepared" in text


@pytest.mark.parametrize(
    "query",
    [
        {"typology": "chaotic"},
        {"category": "no-such-shelf"},
        {"value_process": "<script>"},
        {"page": "two"},
        {"page": "-3"},
        {"page": "99999999999999999999999"},
        {"q": "x" * 5000},
    ],
)
def test_invalid_filter_and_page_values_do_not_fail(client, catalog, query):
    response = client.get(CATALOG, query)
    assert response.status_code == 200
    if set(query) <= {"typology", "category", "value_process", "page"}:
        # An unknown value is ignored: the whole catalog is shown.
        assert len(_names(response)) == 3


def test_pagination_keeps_the_filters(client, db):
    category = CategoryFactory(slug="big-shelf")
    for number in range(14):
        PublishedServiceFactory(name=f"Shelf service {number:02d}", category=category)
    PublishedServiceFactory(name="Elsewhere")
    first = client.get(CATALOG, {"category": "big-shelf"})
    assert len(first.context["services"]) == 12
    html = first.content.decode()
    assert "Page 1 of 2" in html
    next_link = re.search(r'href="([^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "category=big-shelf" in next_link
    assert "page=2" in next_link
    second = client.get(CATALOG + next_link)
    assert len(second.context["services"]) == 2
    assert "Elsewhere" not in _names(second)
    # Past the end shows the last page rather than an error.
    assert _names(client.get(CATALOG, {"category": "big-shelf", "page": 9})) == _names(second)


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"q": "service", "category": "shelf"}])
def test_catalog_query_count_does_not_grow_with_services(client, user_a, params):
    client.force_login(user_a)
    category = CategoryFactory(slug="shelf")
    processes = ValueProcessFactory.create_batch(2)

    def build(rows):
        for _ in range(rows):
            PublishedServiceFactory(category=category).value_processes.add(*processes)

    build(2)
    small = _count_queries(client, CATALOG, params)
    build(18)
    assert _count_queries(client, CATALOG, params) == small


# --- Service page ------------------------------------------------------------------------------


@pytest.fixture
def full_service():
    service = PublishedServiceFactory(
        name="Benefits tracking", slug="benefits-tracking",
        pricing_basis=PricingBasis.MONTHLY_RETAINER, pricing_notes="Travel billed separately.",
        description="First paragraph.\n\nSecond paragraph.",
    )
    ServiceTierFactory(
        service=service, level=TierLevel.ESSENTIAL, headline="For a first portfolio",
        includes="Quarterly benefits review", commitments="Report within 10 days",
        price=Decimal("1800.00"),
    )
    ServiceTierFactory(
        service=service, level=TierLevel.PREMIUM, headline="For regulated programmes",
        includes="Weekly benefits clinic", commitments="Answer within 4 hours", price=None,
    )
    CriterionFactory(service=service, kind=CriterionKind.EXIT, text="Handover pack signed off.")
    CriterionFactory(service=service, kind=CriterionKind.ENTRY, text="A benefits owner is named.")
    CriterionFactory(
        service=service, kind=CriterionKind.ACCEPTANCE, text="Benefits register approved."
    )
    IndicatorFactory(
        service=service, name="Benefits realised", unit="%", target=Decimal("80"),
        green_threshold=Decimal("75"), red_threshold=Decimal("50"),
    )
    IndicatorFactory(
        service=service, name="Days to report", unit="days", direction=Direction.LOWER_IS_BETTER,
        target=Decimal("5"), green_threshold=Decimal("5"), red_threshold=Decimal("10.5"),
    )
    lead = ServiceRoleFactory(
        service=service, role__name="PMO lead", typical_allocation_percent=40,
        responsibilities="Chairs the benefits board.",
    )
    ServiceRoleSkillFactory(
        service_role=lead, skill=SkillFactory(name="Risk management"), minimum_level=4
    )
    lead.certifications.add(CertificationFactory(code="MSP", name="Managing Successful Programmes"))
    service.value_processes.add(ValueProcessFactory(name="Benefits realisation"))
    return service


def test_service_page_shows_every_part(client, full_service):
    response = client.get(_detail(full_service))
    assert response.status_code == 200
    text = _text(response)
    # Tiers in level order, with prices or "On quote".
    assert text.index("Essential") < text.index("Standard") < text.index("Premium")
    assert "€1,800 per month" in text
    assert "€4,500 per month" in text
    assert "On quote" in text
    assert "Quarterly benefits review" in text
    assert "Answer within 4 hours" in text
    # Criteria grouped by kind, entry first.
    assert text.index("Entry criteria") < text.index("Acceptance criteria") < text.index(
        "Exit criteria"
    )
    assert text.index("A benefits owner is named.") < text.index("Handover pack signed off.")
    # Indicators with their thresholds in both directions, then roles, skills and facts.
    for phrase in [
        "Benefits realised", "Green ≥ 75", "Amber 50 \u2013 75", "Red < 50",
        "Green ≤ 5", "Red > 10.50", "Lower is better", "Monthly",
        "PMO lead", "40% allocation", "Risk management ≥ 4/5", "MSP",
        "Chairs the benefits board.", "Monthly retainer", "Travel billed separately.",
        "Benefits realisation",
    ]:
        assert phrase in text
    assert "<p>Second paragraph.</p>" in response.content.decode()


@pytest.mark.parametrize("status", [ServiceStatus.DRAFT, ServiceStatus.RETIRED])
def test_unpublished_service_is_404_for_anonymous_and_clients(client, user_a, status):
    service = PublishedServiceFactory(status=status)
    assert client.get(_detail(service)).status_code == 404
    client.force_login(user_a)
    assert client.get(_detail(service)).status_code == 404
    assert client.get(_request_form(service)).status_code == 404


def test_staff_see_a_draft_with_a_note(client, staff_user):
    service = ServiceFactory()
    client.force_login(staff_user)
    response = client.get(_detail(service))
    assert response.status_code == 200
    text = _text(response)
    assert "Draft: not visible to clients." in text
    assert "recorded in the admin" in text


def test_anonymous_visitor_is_invited_to_log_in(client, full_service):
    response = client.get(_detail(full_service))
    assert "Log in to request this service" in _text(response)
    expected = f"{reverse('login')}?next=/catalog/benefits-tracking/request/"
    assert expected in response.content.decode()


def test_client_gets_a_request_button_and_read_only_member_a_note(
    client, full_service, user_a, read_only_user
):
    client.force_login(user_a)
    response = client.get(_detail(full_service))
    assert f'href="{_request_form(full_service)}"' in response.content.decode()
    client.force_login(read_only_user)
    response = client.get(_detail(full_service))
    assert "Read-only access cannot request services" in _text(response)
    assert f'href="{_request_form(full_service)}"' not in response.content.decode()


def test_open_request_is_shown_instead_of_the_button(client, full_service, user_a, org_a):
    service_request = ServiceRequestFactory(service=full_service, organization=org_a)
    client.force_login(user_a)
    response = client.get(_detail(full_service))
    html = response.content.decode()
    assert "View your request" in html
    assert reverse("catalog:request-detail", kwargs={"pk": service_request.pk}) in html
    assert f'href="{_request_form(full_service)}"' not in html


def test_service_page_query_count_is_fixed(client, full_service):
    first = _count_queries(client, _detail(full_service))
    for _ in range(3):
        IndicatorFactory(service=full_service)
        ServiceRoleSkillFactory(service_role=ServiceRoleFactory(service=full_service))
        CriterionFactory(service=full_service)
    assert _count_queries(client, _detail(full_service)) == first


# --- Request form ------------------------------------------------------------------------------


def _valid_post(service, **overrides):
    data = {
        "tier": service.tiers.get(level=TierLevel.STANDARD).pk,
        "desired_start": _in_days(30).isoformat(),
        "context": "Nine projects report in nine formats.",
        "expected_outcomes": "One report the board trusts.",
    }
    return {**data, **overrides}


def test_anonymous_request_form_redirects_to_login(client, full_service):
    response = client.get(_request_form(full_service))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_client_sees_the_tiers_to_choose_from(client, full_service, user_a):
    client.force_login(user_a)
    response = client.get(_request_form(full_service))
    assert response.status_code == 200
    text = _text(response)
    assert "Essential · For a first portfolio · €1,800 per month" in text
    assert "Premium · For regulated programmes · On quote" in text
    html = response.content.decode()
    assert html.count('type="radio"') == 3
    assert 'type="date"' in html


def test_tier_link_preselects_the_level(client, full_service, user_a):
    client.force_login(user_a)
    response = client.get(_request_form(full_service), {"tier": "premium"})
    premium = full_service.tiers.get(level=TierLevel.PREMIUM)
    assert re.search(rf'value="{premium.pk}"[^>]*checked', response.content.decode())


def test_valid_request_is_created_and_shown(client, full_service, user_a, org_a):
    client.force_login(user_a)
    response = client.post(_request_form(full_service), _valid_post(full_service))
    service_request = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "catalog:request-detail", kwargs={"pk": service_request.pk}
    )
    assert (service_request.organization, service_request.requested_by) == (org_a, user_a)
    assert service_request.tier.level == TierLevel.STANDARD
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Your request for Benefits tracking was submitted. The PMO team will review it and "
        "e-mail you when its status changes."
    ]
    page = client.get(response["Location"])
    assert "Submitted" in _text(page)
    assert "Your request for Benefits tracking was submitted" in _text(page)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"desired_start": "2001-01-01"}, "desired_start", "cannot be in the past"),
        ({"desired_start": "next week"}, "desired_start", "Enter a date"),
        ({"context": "   "}, "context", "Describe the situation"),
        ({"tier": ""}, "tier", "Choose a service level"),
        ({"tier": "999999"}, "tier", "Choose one of this service"),
        ({"tier": "99999999999999999999999"}, "tier", "Choose one of this service"),
        ({"desired_start": "9999-12-31"}, "desired_start", "within the next two years"),
    ],
)
def test_invalid_request_shows_inline_errors_and_creates_nothing(
    client, full_service, user_a, overrides, field, message
):
    client.force_login(user_a)
    response = client.post(_request_form(full_service), _valid_post(full_service, **overrides))
    assert response.status_code == 200
    assert not ServiceRequest.objects.exists()
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'class="field-error"' in html
    assert "The request was not sent" in html  # the summary at the top


def test_tier_of_another_service_is_refused(client, full_service, user_a):
    other = PublishedServiceFactory()
    client.force_login(user_a)
    response = client.post(
        _request_form(full_service), _valid_post(full_service, tier=other.tiers.get().pk)
    )
    assert response.status_code == 200
    assert "tier" in response.context["form"].errors
    assert not ServiceRequest.objects.exists()


def test_duplicate_open_request_is_a_form_error(client, full_service, user_a, org_a):
    ServiceRequestFactory(service=full_service, organization=org_a)
    client.force_login(user_a)
    page = client.get(_request_form(full_service))
    assert "already has an open request" in _text(page)
    response = client.post(_request_form(full_service), _valid_post(full_service))
    assert response.status_code == 200
    assert "already has an open request" in " ".join(response.context["form"].non_field_errors())
    assert ServiceRequest.objects.count() == 1


def test_read_only_member_gets_a_403_that_explains(client, full_service, read_only_user):
    client.force_login(read_only_user)
    for response in (
        client.get(_request_form(full_service)),
        client.post(_request_form(full_service), _valid_post(full_service)),
    ):
        assert response.status_code == 403
        assert "read-only" in _text(response)
    assert not ServiceRequest.objects.exists()


def test_staff_and_users_without_organization_get_a_403_that_explains(
    client, full_service, staff_user, django_user_model
):
    for user in (staff_user, django_user_model.objects.create_user("loner")):
        client.force_login(user)
        response = client.post(_request_form(full_service), _valid_post(full_service))
        assert response.status_code == 403
        assert "Only client users request services" in _text(response)
    assert not ServiceRequest.objects.exists()


# --- My requests -------------------------------------------------------------------------------


def test_my_requests_requires_login_and_sends_staff_to_the_admin(client, staff_user):
    response = client.get(REQUESTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(staff_user)
    response = client.get(REQUESTS)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_servicerequest_changelist")


def test_my_requests_lists_only_own_organization(client, user_a, org_a, org_b):
    ServiceRequestFactory(service__name="Our reporting", organization=org_a)
    ServiceRequestFactory(service__name="Their rescue", organization=org_b)
    client.force_login(user_a)
    response = client.get(REQUESTS)
    text = _text(response)
    assert "Our reporting" in text
    assert "Their rescue" not in text
    assert "Organization B" not in text
    assert "1 request" in text


def test_my_requests_filters_by_status_and_author(client, user_a, org_a):
    ServiceRequestFactory(service__name="Mine submitted", organization=org_a, requested_by=user_a)
    ServiceRequestFactory(
        service__name="Colleague accepted", organization=org_a, status=RequestStatus.ACCEPTED
    )
    client.force_login(user_a)

    def listed(**params):
        return {r.service.name for r in client.get(REQUESTS, params).context["service_requests"]}

    assert listed() == {"Mine submitted", "Colleague accepted"}
    assert listed(status="accepted") == {"Colleague accepted"}
    assert listed(mine="1") == {"Mine submitted"}
    assert listed(mine="1", status="accepted") == set()
    assert listed(status="bogus", page="zz") == {"Mine submitted", "Colleague accepted"}
    empty = _text(client.get(REQUESTS, {"mine": "1", "status": "declined"}))
    assert "No request matches these filters" in empty


def test_my_requests_empty_state_links_to_the_catalog(client, user_a):
    client.force_login(user_a)
    response = client.get(REQUESTS)
    assert "has not requested any service yet" in _text(response)
    assert f'href="{CATALOG}"' in response.content.decode()


def test_my_requests_query_count_does_not_grow_with_rows(client, user_a, org_a):
    client.force_login(user_a)
    ServiceRequestFactory.create_batch(2, organization=org_a)
    small = _count_queries(client, REQUESTS)
    ServiceRequestFactory.create_batch(18, organization=org_a)
    assert _count_queries(client, REQUESTS) == small


# --- Request detail ----------------------------------------------------------------------------


def test_request_detail_shows_status_decision_and_history(client, user_a, org_a, staff_user):
    service_request = ServiceRequestFactory(
        service__name="Risk reviews", organization=org_a, status=RequestStatus.DECLINED,
        decision_reason="We have no capacity in March.",
    )
    service_request.transitions.create(
        from_status=RequestStatus.SUBMITTED, to_status=RequestStatus.DECLINED, actor=staff_user,
        note="We have no capacity in March.",
    )
    client.force_login(user_a)
    response = client.get(reverse("catalog:request-detail", kwargs={"pk": service_request.pk}))
    assert response.status_code == 200
    text = _text(response)
    assert "Declined" in text
    assert "Why it was declined" in text
    assert "We have no capacity in March." in text
    assert "Submitted → Declined" in text
    assert "(PMO team)" in text
    assert f'href="{_detail(service_request.service)}"' in response.content.decode()


def test_request_of_another_organization_is_404(client, user_a, org_b):
    foreign = ServiceRequestFactory(service__name="Their secret", organization=org_b)
    client.force_login(user_a)
    response = client.get(reverse("catalog:request-detail", kwargs={"pk": foreign.pk}))
    assert response.status_code == 404
    assert "Their secret" not in response.content.decode()


@pytest.mark.parametrize("pk", [999999, 10**30])
def test_unknown_request_is_404(client, user_a, pk):
    client.force_login(user_a)
    assert client.get(f"{REQUESTS}{pk}/").status_code == 404


def test_request_for_a_retired_service_keeps_it_without_a_link(client, user_a, org_a):
    service_request = ServiceRequestFactory(
        service__name="Sunset service", organization=org_a, status=RequestStatus.ACCEPTED
    )
    service = service_request.service
    service.status = ServiceStatus.RETIRED
    service.retired_at = timezone.now()
    service.save()
    client.force_login(user_a)
    response = client.get(reverse("catalog:request-detail", kwargs={"pk": service_request.pk}))
    text = _text(response)
    assert "Sunset service" in text
    assert "Standard" in text
    assert "This service has been retired from the catalog" in text
    assert _detail(service) not in response.content.decode()


# --- Navigation --------------------------------------------------------------------------------


def test_navigation_for_anonymous_clients_and_staff(client, user_a, staff_user):
    html = client.get(CATALOG).content.decode()
    assert f'href="{CATALOG}" aria-current="page">Catalog' in html
    assert f'{reverse("login")}?next=' in html
    assert "My requests" not in html
    client.force_login(user_a)
    html = client.get(REQUESTS).content.decode()
    assert f'href="{REQUESTS}" aria-current="page">My requests' in html
    client.force_login(staff_user)
    html = client.get(CATALOG).content.decode()
    assert "My requests" not in html
    assert ">Admin<" in html


def test_anonymous_home_goes_to_the_catalog(client):
    response = client.get("/", follow=True)
    assert response.redirect_chain == [(CATALOG, 302)]
