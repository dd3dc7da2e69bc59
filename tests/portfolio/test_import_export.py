"""Bulk import and export of applications, dependencies and stakeholders (CSV and XLSX):
through the admin's two steps (dry-run preview, then confirmation) and through the
resources directly. Good files create or update; a file with any bad row reports each
bad row and imports nothing."""

import csv
import io

import pytest
import tablib
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from portfolio.choices import DependencyKind, TimeClass
from portfolio.models import Application, ApplicationDependency, Technology
from portfolio.resources import ApplicationDependencyResource, ApplicationResource
from stakeholders.models import EngagementAssessment, Stakeholder
from stakeholders.resources import StakeholderResource
from tests.factories import (
    ApplicationDependencyFactory,
    ApplicationFactory,
    StaffUserFactory,
    StakeholderFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

CSV_FORMAT, XLSX_FORMAT = "0", "1"  # positions in the admins' formats (CSV, XLSX)

APPLICATION_HEADERS = [
    "organization", "code", "name", "lifecycle", "criticality", "functional_fit",
    "technical_fit", "business_owner", "technologies", "annual_run_cost",
]
DEPENDENCY_HEADERS = ["organization", "source", "target", "kind", "description"]
STAKEHOLDER_HEADERS = [
    "organization", "full_name", "email", "relationship", "power", "interest",
    "current_engagement", "desired_engagement",
]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def csv_file(headers: list[str], rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_file(headers: list[str], rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def dataset(headers: list[str], rows: list[list]) -> tablib.Dataset:
    return tablib.Dataset(*[tuple(row) for row in rows], headers=headers)


def row_errors(result) -> dict[int, dict[str, list[str]]]:
    """Row number -> column -> messages, for every invalid row of an import result."""
    return {row.number: row.error_dict for row in result.invalid_rows}


def admin_import(client, model: str, content: bytes, file_format: str, name: str):
    """The first step: upload, dry run, preview (or errors)."""
    app = "stakeholders" if model == "stakeholder" else "portfolio"
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(
        reverse(f"admin:{app}_{model}_import"),
        {"import_file": upload, "format": file_format, "resource": "0"},
    )


def admin_confirm(client, model: str, preview):
    """The second step: confirm the previewed file."""
    app = "stakeholders" if model == "stakeholder" else "portfolio"
    return client.post(
        reverse(f"admin:{app}_{model}_process_import"),
        preview.context["confirm_form"].initial,
    )


@pytest.fixture
def owner(org_a):
    return StakeholderFactory(organization=org_a, email="owner@client.example")


def application_rows(org_name: str) -> list[list]:
    return [
        [org_name, "HR-PAY", "Payroll", "in_production", "High", 4, 2, "owner@client.example",
         "Java; postgresql", "125000.50"],
        [org_name, "CRM", "Citizen relations", "Proposed", "medium", 3, 3, "", "", ""],
    ]


# --- Applications ----------------------------------------------------------------------------


def test_applications_import_creates_then_updates_by_organization_and_code(
    org_a, owner, staff_user
):
    postgres = TechnologyFactory(name="PostgreSQL")
    result = ApplicationResource().import_data(
        dataset(APPLICATION_HEADERS, application_rows(org_a.name)), user=staff_user
    )
    assert not result.has_errors()
    assert not result.has_validation_errors()
    payroll = Application.objects.get(organization=org_a, code="HR-PAY")
    assert (payroll.criticality, payroll.business_owner, payroll.time_class) == (
        "high", owner, TimeClass.MIGRATE
    )
    assert sorted(payroll.technologies.values_list("name", flat=True)) == [
        "Java", "PostgreSQL"
    ]
    assert Technology.objects.filter(name__iexact="postgresql").get() == postgres
    assert payroll.history.latest().history_user == staff_user

    # The same file again, with another fit and the names in other letter cases: the rows
    # update the applications they name (the file's spelling of the code wins).
    rows = application_rows(org_a.name.upper())
    rows[0][1], rows[0][6] = "hr-pay", 4
    result = ApplicationResource().import_data(dataset(APPLICATION_HEADERS, rows),
                                               user=staff_user)
    assert [row.import_type for row in result.rows] == ["update", "update"]
    payroll.refresh_from_db()
    assert (payroll.code, payroll.time_class) == ("hr-pay", TimeClass.INVEST)
    assert Application.objects.filter(organization=org_a).count() == 2


def test_bad_application_rows_are_reported_and_nothing_is_imported(org_a, owner, staff_user):
    good = application_rows(org_a.name)[1]
    rows = [
        good,
        [org_a.name, "FIT", "Bad fit", "in_production", "high", 7, 2, "", "", ""],
        ["Nowhere Inc", "ORG", "Unknown organization", "proposed", "low", 1, 1, "", "", ""],
        [org_a.name, "crm", "Same code again", "proposed", "low", 1, 1, "", "", ""],
        [org_a.name, "OWN", "Unknown owner", "proposed", "low", 1, 1, "x@nowhere.example", "",
         ""],
        [org_a.name, "COST", "Negative cost", "proposed", "low", 1, 1, "", "", "-5"],
    ]
    result = ApplicationResource().import_data(dataset(APPLICATION_HEADERS, rows),
                                               user=staff_user)
    errors = row_errors(result)
    assert sorted(errors) == [2, 3, 4, 5, 6]
    assert "functional_fit" in errors[2]
    assert errors[3] == {"organization": ["No organization is named “Nowhere Inc”."]}
    assert errors[4] == {"code": [
        f"Row 1 of this file already has this code (crm) for {org_a.name}; each record may "
        "appear once."
    ]}
    assert errors[5] == {"business_owner": [
        f"{org_a.name} has no stakeholder with the e-mail x@nowhere.example."
    ]}
    assert errors[6] == {"annual_run_cost": ["Ensure this value is greater than or equal to 0."]}
    assert not Application.objects.exists()  # not even the good row


def test_applications_import_through_the_admin_previews_then_imports_xlsx(
    staff_client, staff_user, org_a, owner
):
    content = xlsx_file(APPLICATION_HEADERS, application_rows(org_a.name))
    preview = admin_import(staff_client, "application", content, XLSX_FORMAT, "apps.xlsx")
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert [row.import_type for row in preview.context["result"].rows] == ["new", "new"]
    assert not Application.objects.exists()  # the dry run imported nothing
    assert not Technology.objects.exists()

    response = admin_confirm(staff_client, "application", preview)
    assert response.status_code == 302
    assert set(Application.objects.values_list("code", flat=True)) == {"HR-PAY", "CRM"}
    payroll = Application.objects.get(code="HR-PAY")
    assert payroll.history.latest().history_user == staff_user


def test_bad_csv_in_the_admin_shows_row_errors_and_cannot_be_confirmed(staff_client, org_a):
    rows = [
        [org_a.name, "GOOD", "Good", "proposed", "low", 3, 3, "", "", ""],
        [org_a.name, "FIT", "Bad fit", "proposed", "low", 7, 3, "", "", ""],
    ]
    preview = admin_import(staff_client, "application",
                           csv_file(APPLICATION_HEADERS, rows), CSV_FORMAT, "apps.csv")
    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert sorted(row_errors(preview.context["result"])) == [2]
    content = preview.content.decode()
    assert "Value 7 is not a valid choice." in content
    assert not Application.objects.exists()


def test_applications_export_as_csv_and_xlsx_through_the_admin(staff_client, org_a, owner):
    application = ApplicationFactory(
        organization=org_a, code="HR-PAY", functional_fit=4, technical_fit=4,
        business_owner=owner, time_override=TimeClass.TOLERATE,
        time_override_rationale="Frozen.",
    )
    application.technologies.add(TechnologyFactory(name="Java"), TechnologyFactory(name="SAP"))
    ApplicationDependencyFactory(target=application, source__organization=org_a)
    url = reverse("admin:portfolio_application_export")
    selected = {f"applicationresource_{name}": "on"
                for name in ApplicationResource().get_export_order()}

    response = staff_client.post(url, {"format": CSV_FORMAT, "resource": "0", **selected})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(ApplicationResource._meta.fields)
    exported = next(row for row in rows if row["code"] == "HR-PAY")
    assert exported | {"name": ""} == exported | {
        "organization": org_a.name, "business_owner": "owner@client.example",
        "technologies": "Java; SAP", "time_computed": "invest", "time_override": "tolerate",
        "time_class": "tolerate", "fan_in": "1", "name": "",
    }

    response = staff_client.post(url, {"format": XLSX_FORMAT, "resource": "0", **selected})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert header == list(ApplicationResource._meta.fields)


def test_an_exported_file_imports_back_unchanged(org_a, owner, staff_user):
    ApplicationFactory(organization=org_a, code="HR-PAY", business_owner=owner).technologies.add(
        TechnologyFactory(name="Java")
    )
    exported = ApplicationResource().export()
    result = ApplicationResource().import_data(exported, user=staff_user)
    assert not result.has_validation_errors()
    assert not result.has_errors()
    assert [row.import_type for row in result.rows] == ["update"]
    assert Application.objects.get().technologies.get().name == "Java"


# --- Dependencies ----------------------------------------------------------------------------


@pytest.fixture
def apps(org_a, org_b):
    return {
        "pay": ApplicationFactory(organization=org_a, code="PAY"),
        "hr": ApplicationFactory(organization=org_a, code="HR"),
        "gl": ApplicationFactory(organization=org_a, code="GL"),
        "other": ApplicationFactory(organization=org_b, code="B-ERP"),
    }


def test_dependencies_import_by_codes_within_the_organization(org_a, apps, staff_user):
    rows = [
        [org_a.name, "pay", "HR", "API call", "Employee master data"],
        [org_a.name, "PAY", "GL", "batch", ""],
    ]
    result = ApplicationDependencyResource().import_data(dataset(DEPENDENCY_HEADERS, rows),
                                                         user=staff_user)
    assert not result.has_validation_errors()
    assert not result.has_errors()
    assert set(apps["pay"].dependencies.values_list("target__code", "kind")) == {
        ("HR", DependencyKind.API), ("GL", DependencyKind.BATCH)
    }
    # Re-importing updates the same rows (identified by both codes and the kind).
    rows[0][4] = "Employees and contracts"
    result = ApplicationDependencyResource().import_data(dataset(DEPENDENCY_HEADERS, rows),
                                                         user=staff_user)
    assert [row.import_type for row in result.rows] == ["update", "update"]
    assert ApplicationDependency.objects.get(kind="api").description == (
        "Employees and contracts"
    )


def test_bad_dependency_rows_are_reported_and_nothing_is_imported(org_a, org_b, apps,
                                                                 staff_user):
    rows = [
        [org_a.name, "PAY", "HR", "api", ""],
        [org_a.name, "PAY", "PAY", "api", ""],
        [org_a.name, "PAY", "B-ERP", "api", ""],
        [org_a.name, "PAY", "NOPE", "api", ""],
        [org_a.name, "PAY", "hr", "API call", "the first row again"],
        [org_a.name, "HR", "GL", "telepathy", ""],
        ["Nowhere Inc", "PAY", "HR", "api", ""],
    ]
    result = ApplicationDependencyResource().import_data(dataset(DEPENDENCY_HEADERS, rows),
                                                         user=staff_user)
    errors = row_errors(result)
    assert sorted(errors) == [2, 3, 4, 5, 6, 7]
    assert errors[2] == {"__all__": ["An application cannot depend on itself."]}
    assert errors[3] == {"target": [
        f"B-ERP is an application of {org_b.name}, not of {org_a.name}: a dependency links "
        "applications of one organization."
    ]}
    assert errors[4] == {"target": [f"{org_a.name} has no application with the code NOPE."]}
    assert errors[5] == {"target": [
        "Row 1 of this file already records that PAY depends on hr (api call); each "
        "dependency may appear once."
    ]}
    assert "is not a valid choice" in errors[6]["kind"][0]
    assert errors[7] == {"organization": ["No organization is named “Nowhere Inc”."]}
    assert not ApplicationDependency.objects.exists()


def test_dependencies_import_and_export_through_the_admin(staff_client, org_a, apps):
    content = csv_file(DEPENDENCY_HEADERS, [[org_a.name, "PAY", "HR", "data_flow", "Nightly"]])
    preview = admin_import(staff_client, "applicationdependency", content, CSV_FORMAT,
                           "deps.csv")
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert not ApplicationDependency.objects.exists()
    assert admin_confirm(staff_client, "applicationdependency", preview).status_code == 302
    dependency = ApplicationDependency.objects.get()
    assert (dependency.source, dependency.target) == (apps["pay"], apps["hr"])

    bad = xlsx_file(DEPENDENCY_HEADERS, [[org_a.name, "PAY", "B-ERP", "api", ""]])
    preview = admin_import(staff_client, "applicationdependency", bad, XLSX_FORMAT,
                           "deps.xlsx")
    assert "confirm_form" not in preview.context
    assert "a dependency links applications of one organization" in preview.content.decode()

    selected = {f"applicationdependencyresource_{name}": "on" for name in DEPENDENCY_HEADERS}
    response = staff_client.post(reverse("admin:portfolio_applicationdependency_export"),
                                 {"format": CSV_FORMAT, "resource": "0", **selected})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [DEPENDENCY_HEADERS, [org_a.name, "PAY", "HR", "data_flow", "Nightly"]]


# --- Stakeholders ----------------------------------------------------------------------------


def stakeholder_rows(org_name: str) -> list[list]:
    return [
        [org_name, "Ana Sponsor", "ana@client.example", "Sponsor", 5, 4, "neutral", "leading"],
        [org_name, "Bo User", "bo@client.example", "key_user", 2, 5, "Supportive",
         "supportive"],
    ]


def test_stakeholders_import_through_the_admin_records_their_first_assessment(
    staff_client, staff_user, org_a
):
    content = csv_file(STAKEHOLDER_HEADERS, stakeholder_rows(org_a.name))
    preview = admin_import(staff_client, "stakeholder", content, CSV_FORMAT, "people.csv")
    assert preview.status_code == 200
    assert preview.context["confirm_form"] is not None
    assert not Stakeholder.objects.exists()
    assert not EngagementAssessment.objects.exists()

    assert admin_confirm(staff_client, "stakeholder", preview).status_code == 302
    ana = Stakeholder.objects.get(email="ana@client.example")
    assert (ana.relationship, ana.quadrant.value) == ("sponsor", "manage_closely")
    [assessment] = ana.assessments.all()
    assert (assessment.current, assessment.desired, assessment.assessed_by) == (
        "neutral", "leading", staff_user
    )
    assert assessment.note == "Imported from people.csv."
    assert EngagementAssessment.objects.count() == 2


def test_reimported_stakeholders_are_reassessed_only_when_engagement_changes(
    org_a, staff_user
):
    rows = stakeholder_rows(org_a.name)
    StakeholderResource().import_data(dataset(STAKEHOLDER_HEADERS, rows), user=staff_user)
    rows[0][6] = "supportive"  # Ana's current engagement moved; Bo's did not
    rows[0][2] = "ANA@client.example"
    result = StakeholderResource().import_data(
        dataset(STAKEHOLDER_HEADERS, rows), user=staff_user
    )
    assert [row.import_type for row in result.rows] == ["update", "update"]
    ana = Stakeholder.objects.get(email__iexact="ana@client.example")
    assert list(ana.assessments.values_list("current", flat=True)) == [
        "supportive", "neutral"
    ]
    assert ana.current_engagement == "supportive"
    assert Stakeholder.objects.get(email="bo@client.example").assessments.count() == 1


def test_bad_stakeholder_rows_are_reported_and_nothing_is_imported(org_a, staff_user):
    StakeholderFactory(organization=org_a, email="taken@client.example")
    rows = [
        *stakeholder_rows(org_a.name),
        [org_a.name, "Ana Again", "ana@client.example", "sponsor", 3, 3, "neutral",
         "neutral"],
        [org_a.name, "Power Six", "six@client.example", "sponsor", 6, 3, "neutral", "neutral"],
        [org_a.name, "No Mail", "", "sponsor", 3, 3, "neutral", "neutral"],
        [org_a.name, "Bad Level", "level@client.example", "sponsor", 3, 3, "euphoric",
         "neutral"],
    ]
    result = StakeholderResource().import_data(dataset(STAKEHOLDER_HEADERS, rows),
                                               user=staff_user)
    errors = row_errors(result)
    assert sorted(errors) == [3, 4, 5, 6]
    assert "each record may appear once" in errors[3]["email"][0]
    assert "power" in errors[4]
    assert errors[5] == {"email": ["Give the stakeholder's e-mail: it identifies them in "
                                   "imports."]}
    assert "current_engagement" in errors[6]
    assert Stakeholder.objects.count() == 1  # only the one that was there
    assert not EngagementAssessment.objects.exists()


def test_stakeholder_import_needs_the_importing_user(org_a):
    result = StakeholderResource().import_data(
        dataset(STAKEHOLDER_HEADERS, stakeholder_rows(org_a.name))
    )
    assert result.has_errors()
    assert "pass the importing user" in str(result.base_errors[0].error)
    assert not Stakeholder.objects.exists()


def test_stakeholders_export_with_computed_columns(staff_client, org_a):
    StakeholderFactory(organization=org_a, full_name="Ana", email="ana@client.example",
                       power=5, interest=1, current_engagement="neutral",
                       desired_engagement="leading")
    selected = {f"stakeholderresource_{name}": "on"
                for name in StakeholderResource().get_export_order()}
    response = staff_client.post(reverse("admin:stakeholders_stakeholder_export"),
                                 {"format": XLSX_FORMAT, "resource": "0", **selected})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, row = ([cell.value for cell in line] for line in sheet.iter_rows(max_row=2))
    values = dict(zip(header, row, strict=True))
    assert header == list(StakeholderResource._meta.fields)
    assert (values["organization"], values["quadrant"], values["engagement_gap"]) == (
        org_a.name, "keep_satisfied", 2
    )


# --- Who may import and export ---------------------------------------------------------------


def test_import_needs_add_and_change_rights_and_export_view_rights(client, user_a):
    viewer = StaffUserFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(viewer)
    assert client.get(reverse("admin:portfolio_application_import")).status_code == 403
    assert client.get(reverse("admin:portfolio_application_export")).status_code == 200

    client.force_login(user_a)  # a client user never reaches the staff interface
    for name in ("import", "export"):
        response = client.get(reverse(f"admin:portfolio_application_{name}"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_stakeholder_import_names_the_relationship_owner_by_staff_email(
    org_a, staff_user, user_a
):
    headers = [*STAKEHOLDER_HEADERS, "relationship_owner"]
    rows = [[*row, owner] for row, owner in zip(
        stakeholder_rows(org_a.name), [staff_user.email.upper(), user_a.email], strict=True
    )]
    result = StakeholderResource().import_data(dataset(headers, rows), user=staff_user)
    assert row_errors(result) == {2: {"relationship_owner": [
        f"No active PMO staff member has the e-mail {user_a.email}."
    ]}}
    rows[1][-1] = ""
    result = StakeholderResource().import_data(dataset(headers, rows), user=staff_user)
    assert not result.has_validation_errors()
    assert Stakeholder.objects.get(email="ana@client.example").relationship_owner == staff_user
