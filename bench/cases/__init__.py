"""The benchmark cases, by name.

Case modules import Django models, so they are imported only after ``django.setup()``:
the registry holds dotted paths, not classes.
"""

from importlib import import_module

from bench.harness import Case

CASES: dict[str, str] = {
    "organizations_list": "bench.cases.organizations:OrganizationsListCase",
    "services_list": "bench.cases.catalog:ServicesListCase",
    "matches_rank": "bench.cases.matching:MatchesRankCase",
    "proposal_global": "bench.cases.matching:ProposalGlobalCase",
    "metrics_recompute": "bench.cases.metrics:MetricsRecomputeCase",
    "applications_list": "bench.cases.scale_lists:ApplicationsListCase",
    "applications_list_staff": "bench.cases.scale_lists:ApplicationsListStaffCase",
    "engagements_list": "bench.cases.scale_lists:EngagementsListCase",
    "engagements_list_staff": "bench.cases.scale_lists:EngagementsListStaffCase",
    "engagement_metrics": "bench.cases.scale_lists:EngagementMetricsCase",
    "catalog_page": "bench.cases.pages:CatalogPageCase",
    "engagements_page": "bench.cases.pages:EngagementsPageCase",
}


def load_case(name: str) -> Case:
    """Import and instantiate the case registered as ``name`` (Django must be set up)."""
    module_path, class_name = CASES[name].split(":")
    return getattr(import_module(module_path), class_name)()
