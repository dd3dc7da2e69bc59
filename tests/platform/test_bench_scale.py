"""The shared scale dataset of the benchmarks at a tiny scale: exact volumes, rows that hold
together, and every case on it proving that its product variant and its raw baseline give
the same answer (the check that makes each ratio honest)."""

import io

import pytest
from django.db.models import F

from bench import dataset
from bench.cases import CASES, load_case
from bench.copying import Progress
from bench.dataset import Scale, split
from engagements.choices import OPEN_ENGAGEMENT_STATUSES, EngagementStatus
from engagements.models import (
    Assignment,
    Consultant,
    ConsultantSkill,
    Deliverable,
    Engagement,
    EngagementMetrics,
    StaffingNeed,
    TimeEntry,
)
from portfolio.models import Application
from stakeholders.models import Organization, Stakeholder

# Large enough for full first pages (25 rows) in the largest organization.
TINY = Scale(organizations=3, applications=150, stakeholders=90, consultants=60,
             engagements=120, deliverables=400, time_entries=1_500, services=20,
             skills=8, technologies=6)
SCALE_CASES = ["applications_list", "applications_list_staff", "engagements_list",
               "engagements_list_staff", "engagement_metrics", "catalog_page",
               "engagements_page", "matches_rank", "metrics_recompute"]


def test_split_shares_out_the_exact_total_with_the_minimum():
    shares = split(1_000, [5.0, 1.0, 0.01, 3.0], minimum=2)
    assert sum(shares) == 1_000
    assert min(shares) >= 2
    assert shares[0] > shares[3] > shares[1] > shares[2]
    assert split(10, [0.0, 0.0], minimum=5) == [5, 5]
    with pytest.raises(ValueError, match="at least 2"):
        split(3, [1.0, 1.0], minimum=2)


def test_progress_writes_one_finished_line_per_table_off_a_terminal():
    stream = io.StringIO()
    progress = Progress(stream)
    progress.update("time entries", 500, 1_000, 0.0)
    progress.finish("time entries", 1_000, 1_000, 0.0)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert "time entries" in lines[0]
    assert "1,000/1,000" in lines[0]
    assert "rows/s" in lines[0]
    assert "100%" in lines[0]


@pytest.fixture
def built():
    return dataset.build(TINY, progress=Progress(io.StringIO()))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_builder_makes_the_exact_volumes_with_rows_that_hold_together_and_finds_them(built):
    assert Organization.objects.count() == TINY.organizations
    assert Application.objects.count() == TINY.applications
    assert Stakeholder.objects.count() == TINY.stakeholders
    assert Consultant.objects.count() == TINY.consultants
    assert Engagement.objects.count() == TINY.engagements
    assert Deliverable.objects.count() == TINY.deliverables
    assert TimeEntry.objects.count() == TINY.time_entries
    assert built.rows["engagements_timeentry"] == TINY.time_entries

    # Every organization has people and applications; the client user is in the largest.
    assert not Organization.objects.filter(applications__isnull=True).exists()
    assert not Organization.objects.filter(stakeholders__isnull=True).exists()
    assert built.client_user.membership.organization == built.largest_organization
    sizes = sorted(Application.objects.filter(organization=organization).count()
                   for organization in Organization.objects.all())
    assert sizes[-1] > 2 * sizes[0], "organizations should differ in size"

    # Owners and sponsors belong to the organization of the row that points at them.
    assert not Application.objects.exclude(business_owner__isnull=True).exclude(
        business_owner__organization=F("organization")).exists()
    assert not Engagement.objects.exclude(sponsor__organization=F("organization")).exists()
    # Every status appears; teams only on staffed engagements; time only where work ran.
    assert set(Engagement.objects.values_list("status", flat=True)) == set(
        EngagementStatus.values)
    assert not Assignment.objects.filter(engagement__status=EngagementStatus.PROPOSED).exists()
    assert not TimeEntry.objects.filter(engagement__status=EngagementStatus.PROPOSED).exists()
    assert ConsultantSkill.objects.count() >= 3 * TINY.consultants
    # The product computed the metrics of every open engagement.
    open_count = Engagement.objects.filter(status__in=OPEN_ENGAGEMENT_STATUSES).count()
    assert EngagementMetrics.objects.filter(as_of__isnull=False).count() == open_count
    # The id sequences moved past the copied rows: the ORM can insert after them.
    organization = built.largest_organization
    assert Stakeholder.objects.create(organization=organization, full_name="New",
                                      power=3, interest=3).pk == TINY.stakeholders + 1

    # ``--reuse`` finds the same dataset again.
    found = dataset.find()
    assert found is not None
    assert found.largest_organization == built.largest_organization
    assert found.client_user == built.client_user
    assert found.staff == built.staff


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_scale_case_gives_the_same_answer_as_its_raw_baseline(built):
    assert {name for name in CASES if load_case(name).dataset == "scale"} >= set(SCALE_CASES)
    needs_before = StaffingNeed.objects.count()
    for name in SCALE_CASES:
        case = load_case(name)
        case.built = built
        case.setup()
        try:
            case.verify()  # raises BenchError when the payloads or pages differ
            counts = case.queries_per_request()
            assert counts, name
            assert all(count >= 1 for count in counts.values()), (name, counts)
            for variant in case.variants():
                variant.func()
        finally:
            case.teardown()
    # The cases leave the shared dataset as they found it.
    assert StaffingNeed.objects.count() == needs_before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_baseline_that_reads_other_rows_is_caught(built):
    from bench.harness import BenchError

    case = load_case("applications_list")
    case.built = built
    case.setup()
    try:
        first = Application.objects.filter(organization=built.largest_organization).order_by(
            "name", "id").first()
        # Change a row between the product's read and the baseline's (on the baseline's own
        # connection, outside the request transaction), as a baseline reading wrong rows would.
        view = case.raw_view

        def stale(request):
            with case.raw_connection.cursor() as cursor:
                cursor.execute("UPDATE portfolio_application SET vendor = 'Changed' "
                               "WHERE id = %s", [first.pk])
            return view(request)

        from bench import urls as bench_urls

        bench_urls.BASELINES["applications-list"] = stale
        with pytest.raises(BenchError, match="vendor"):
            case.verify()
    finally:
        case.teardown()
