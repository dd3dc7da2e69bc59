"""WindowCountPaginator: the page and the total in one statement, Django's answers otherwise."""

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo_service.api.pagination import WindowCountPaginator
from stakeholders.models import Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organizations():
    return OrganizationFactory.create_batch(7)


def test_page_and_total_come_from_one_statement(organizations):
    paginator = WindowCountPaginator(Organization.objects.order_by("name"), 3)
    with CaptureQueriesContext(connection) as queries:
        page = paginator.page(2)
        names = [organization.name for organization in page]
        assert paginator.count == 7
        assert paginator.num_pages == 3
    assert len(queries) == 1
    assert names == sorted(o.name for o in organizations)[3:6]
    assert page.has_next()
    assert page.has_previous()


def test_values_rows_and_the_last_partial_page(organizations):
    paginator = WindowCountPaginator(Organization.objects.order_by("name").values("name"), 3)
    page = paginator.page(3)
    assert [row["name"] for row in page] == [sorted(o.name for o in organizations)[6]]
    assert paginator.count == 7


@pytest.mark.parametrize("number", [4, 10**30, 0])
def test_pages_out_of_range_are_refused_as_django_does(organizations, number):
    with pytest.raises(EmptyPage):
        WindowCountPaginator(Organization.objects.order_by("name"), 3).page(number)


def test_non_numbers_are_refused_as_django_does(organizations):
    with pytest.raises(PageNotAnInteger):
        WindowCountPaginator(Organization.objects.order_by("name"), 3).page("two")


def test_distinct_querysets_use_the_separate_count(organizations):
    paginator = WindowCountPaginator(Organization.objects.order_by("name").distinct(), 3)
    with CaptureQueriesContext(connection) as queries:
        list(paginator.page(1))
    assert len(queries) == 2
    assert paginator.count == 7
