"""WindowCountPaginator keeps the window to cheap page queries: joins and subqueries count apart."""

import pytest
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from pmo_service.api.pagination import WindowCountPaginator
from stakeholders.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizations():
    return OrganizationFactory.create_batch(5)


def _statements(queryset) -> tuple[list[str], int, list]:
    paginator = WindowCountPaginator(queryset, 2)
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(2))
        total = paginator.count
    return [query["sql"] for query in queries], total, rows


def test_a_plain_queryset_keeps_the_window(organizations):
    sql, total, rows = _statements(Organization.objects.order_by("name", "id"))
    assert len(sql) == 1
    assert "OVER" in sql[0]
    assert total == 5
    assert [row.pk for row in rows] == [o.pk for o in sorted(
        organizations, key=lambda o: (o.name, o.pk))][2:4]


def test_an_aggregate_annotation_keeps_the_window(organizations):
    queryset = Organization.objects.annotate(n=Count("memberships")).order_by("name", "id")
    sql, total, _ = _statements(queryset)
    assert len(sql) == 1
    assert total == 5


def test_select_related_counts_apart_without_the_join(organizations):
    for organization in organizations:
        MembershipFactory(organization=organization)
    queryset = Membership.objects.select_related("organization", "user").order_by("id")
    sql, total, rows = _statements(queryset)
    assert len(sql) == 2
    count, page = sql
    assert "COUNT(*)" in count
    assert "JOIN" not in count
    assert "OVER" not in page
    assert "JOIN" in page
    assert total == 5
    assert [row.organization.pk for row in rows] == [o.pk for o in organizations][2:4]


def test_a_nested_subquery_annotation_counts_apart(organizations):
    members = (
        Membership.objects.filter(organization=OuterRef("pk")).order_by()
        .values("organization").annotate(total=Count("pk")).values("total")
    )
    queryset = Organization.objects.annotate(
        members=Coalesce(Subquery(members, output_field=IntegerField()), 0)
    ).order_by("name", "id")
    sql, total, rows = _statements(queryset)
    assert len(sql) == 2
    assert "OVER" not in sql[1]
    assert total == 5
    assert all(row.members == 0 for row in rows)
