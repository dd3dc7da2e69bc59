"""Every id filter of every API list refuses numbers no key can have with a 400.

A number past the signed 64-bit range overflows the SQLite driver (a 500) instead of
matching nothing, so each id filter must be the shared ``IdFilter`` or bound it the same way.
"""

import django_filters
import pytest
from django.urls import resolve, reverse

from tests.routes import iter_routes

pytestmark = pytest.mark.django_db

TOO_LARGE = str(2**64)


def _id_filters():
    for route in iter_routes():
        if route.namespace or not route.name.endswith("-list"):
            continue
        view = resolve(reverse(route.name)).func
        filterset_class = getattr(getattr(view, "cls", None), "filterset_class", None)
        if filterset_class is None:
            continue
        for name, declared in filterset_class.base_filters.items():
            if isinstance(declared, django_filters.NumberFilter) and (
                name.endswith(("organization", "_id")) or declared.field_name.endswith("_id")
                or "id" in (declared.extra.get("help_text") or "").lower().split()
            ):
                yield route.name, name


ID_FILTERS = sorted(set(_id_filters()))


def test_the_registry_finds_id_filters():
    assert ("service-request-list", "organization") in ID_FILTERS
    assert ("demand-list", "application") in ID_FILTERS
    assert {
        ("consultant-list", "skill"), ("engagement-list", "organization"),
        ("engagement-list", "service"), ("assignment-list", "engagement"),
        ("assignment-list", "consultant"), ("assignment-list", "role"),
        ("staffing-need-list", "engagement"), ("staffing-need-list", "role"),
        ("culture-assessment-list", "organization"), ("engagement-outcome-list", "engagement"),
        ("engagement-outcome-list", "consultant"),
        ("iteration-list", "engagement"), ("deliverable-list", "engagement"),
        ("deliverable-list", "iteration"), ("time-entry-list", "engagement"),
        ("time-entry-list", "consultant"), ("time-entry-list", "deliverable"),
        ("time-entry-list", "iteration"), ("expense-list", "engagement"),
        ("kpi-measurement-list", "engagement"), ("kpi-measurement-list", "indicator"),
    } <= set(ID_FILTERS)


@pytest.mark.parametrize(("route", "parameter"), ID_FILTERS)
def test_out_of_range_ids_are_a_400(staff_api, route, parameter):
    for value in (TOO_LARGE, "-" + TOO_LARGE, "1.5"):
        response = staff_api.get(reverse(route), {parameter: value})
        assert response.status_code == 400, (route, parameter, value, response.status_code)
        assert parameter in response.json()
