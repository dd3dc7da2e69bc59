"""The demo clients' application portfolios, dependencies, objectives and demand.

Plain data read by ``portfolio.demo``, one entry per client organization that ``seed_demo``
creates (keyed by its name). People are named by their e-mail in the stakeholder register
(``stakeholders.demo_data``); dates are counted in days from the day of seeding. Shapes:

- ``applications``: dicts named after the Application fields; ``fit`` is (functional,
  technical) or None while unassessed; ``contract_end`` is days from today (negative: it
  ended); ``override`` is (TIME class, rationale) for a PMO staff override.
- ``dependencies``: (source code, target code, kind, description): the source depends on the
  target.
- ``objectives``: dicts; ``years`` is (first, last) year of the period relative to this year.
- ``demands``: dicts; ``scores`` is (business value, urgency, risk reduction, effort) on the
  modified Fibonacci scale; ``steps`` is the workflow, oldest first, as (status, days ago,
  note), starting with "submitted"; ``target`` is days from today or None.
"""

from .choices import (
    Criticality,
    DemandStatus,
    DemandType,
    DependencyKind,
    Hosting,
    Lifecycle,
    ObjectiveStatus,
    TimeClass,
)

SUBMITTED = DemandStatus.SUBMITTED
ASSESSED = DemandStatus.ASSESSED
APPROVED = DemandStatus.APPROVED
SCHEDULED = DemandStatus.SCHEDULED
IN_PROGRESS = DemandStatus.IN_PROGRESS
DELIVERED = DemandStatus.DELIVERED
REJECTED = DemandStatus.REJECTED
WITHDRAWN = DemandStatus.WITHDRAWN

AUTHENTICATION = DependencyKind.AUTHENTICATION
API = DependencyKind.API
BATCH = DependencyKind.BATCH
DATA_FLOW = DependencyKind.DATA_FLOW
MESSAGING = DependencyKind.MESSAGING
SHARED_DATABASE = DependencyKind.SHARED_DATABASE

# --- City Council of Riverton (local government) ---------------------------------------------

LAURA = "laura.gomez@riverton.example"
DANIEL = "daniel.ortega@riverton.example"
ISABEL = "isabel.navarro@riverton.example"
TOMAS = "tomas.herrera@riverton.example"
CARMEN = "carmen.vidal@riverton.example"
RAFAEL = "rafael.castro@riverton.example"
ELENA = "elena.prieto@riverton.example"
MIGUEL = "miguel.sanz@riverton.example"
PILAR = "pilar.romero@riverton.example"

RIVERTON_APPLICATIONS = [
    {"code": "IAM-SSO", "name": "Identity and single sign-on",
     "description": "Single sign-on for staff and citizens to the municipal applications, "
                    "with the national e-ID as the citizens' login.",
     "business_owner": LAURA, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.MISSION_CRITICAL, "fit": (4, 4), "annual_run_cost": "38000",
     "user_count": 1450, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Keycloak", "PostgreSQL", "Red Hat Enterprise Linux"],
     "vendor": "In-house (IT Service)", "contract_end": None},
    {"code": "ERP-FIN", "name": "Financial management ERP",
     "description": "Budget, accounting, expenditure and treasury. Every system that charges "
                    "or pays posts here.",
     "business_owner": DANIEL, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.MISSION_CRITICAL, "fit": (3, 3), "annual_run_cost": "210000",
     "user_count": 180, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["SAP S/4HANA", "SAP HANA"],
     "vendor": "Iberia Public Consulting", "contract_end": 540},
    {"code": "TAX-LEG", "name": "Tax collection (legacy)",
     "description": "Municipal taxes, fees and enforcement since 1998, on an AS/400 with "
                    "COBOL programs. Replaced by the tax management platform at the January "
                    "cutover.",
     "business_owner": CARMEN, "technical_owner": RAFAEL, "lifecycle": Lifecycle.SUNSETTING,
     "criticality": Criticality.MISSION_CRITICAL, "fit": (2, 1), "annual_run_cost": "145000",
     "user_count": 85, "hosting": Hosting.ON_PREMISES,
     "technologies": ["IBM i", "COBOL", "Db2"],
     "vendor": "Civitas Software", "contract_end": 200,
     "override": (TimeClass.TOLERATE,
                  "Computed Eliminate, but it collects 60% of municipal revenue until the tax "
                  "management platform (TAX-NEW) replaces it at the January cutover. Kept "
                  "running as it is, with no investment beyond legal changes, as agreed at "
                  "the steering committee.")},
    {"code": "TAX-NEW", "name": "Tax management platform",
     "description": "Replacement of the legacy tax system: self-assessments, collection, "
                    "enforcement and fines. Being implemented; not assessed until it runs.",
     "business_owner": CARMEN, "technical_owner": RAFAEL,
     "lifecycle": Lifecycle.IN_DEVELOPMENT, "criticality": Criticality.HIGH, "fit": None,
     "annual_run_cost": "120000", "user_count": 90, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["Java", "PostgreSQL", "Kubernetes"],
     "vendor": "Civitas Software", "contract_end": 1460},
    {"code": "PRM-OLD", "name": "Building permits back office",
     "description": "Files, inspections, fees and resolutions of planning and building "
                    "permits. Does what the department needs, on an Oracle Forms client that "
                    "only runs on old browsers.",
     "business_owner": TOMAS, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.HIGH, "fit": (3, 2), "annual_run_cost": "64000",
     "user_count": 60, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Oracle Database", "Oracle Forms"],
     "vendor": "Civitas Software", "contract_end": 200},
    {"code": "PRM-ONL", "name": "Online permits",
     "description": "Citizen-facing module to apply for minor works and activity permits "
                    "online; shares the back office's database.",
     "business_owner": TOMAS, "technical_owner": RAFAEL,
     "lifecycle": Lifecycle.IN_DEVELOPMENT, "criticality": Criticality.HIGH, "fit": None,
     "annual_run_cost": "22000", "user_count": None, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["Angular", "Java", "Oracle Database"],
     "vendor": "Civitas Software", "contract_end": 730},
    {"code": "CIT-PORTAL", "name": "Citizen portal and e-office",
     "description": "The council's electronic office: procedures, forms, certificates, "
                    "payments and the citizen's folder.",
     "business_owner": LAURA, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.MISSION_CRITICAL, "fit": (4, 3), "annual_run_cost": "96000",
     "user_count": 42000, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["Drupal", "PHP", "MySQL"],
     "vendor": "Webmunicipal SL", "contract_end": 310},
    {"code": "GIS-CORE", "name": "Municipal GIS",
     "description": "Street map, parcels and urban planning layers, served to permits, the "
                    "population register and open data. The server version is out of "
                    "support.",
     "business_owner": TOMAS, "technical_owner": MIGUEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.HIGH, "fit": (4, 2), "annual_run_cost": "41000",
     "user_count": 75, "hosting": Hosting.ON_PREMISES,
     "technologies": ["ArcGIS Server", "PostGIS"],
     "vendor": "Esri Spain", "contract_end": 90},
    {"code": "REG-PAD", "name": "Population register",
     "description": "The municipal register of residents: registrations, changes of address "
                    "and residency certificates.",
     "business_owner": ELENA, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.MISSION_CRITICAL, "fit": (3, 4), "annual_run_cost": "28000",
     "user_count": 40, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["Java", "PostgreSQL"],
     "vendor": "Provincial Council (shared service)", "contract_end": None},
    {"code": "DOC-RM", "name": "Electronic records management",
     "description": "Electronic files, registry entries, signatures and archive for every "
                    "procedure of the council.",
     "business_owner": LAURA, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.HIGH, "fit": (3, 3), "annual_run_cost": "52000",
     "user_count": 640, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["Alfresco", "Java"],
     "vendor": "Digital Records SA", "contract_end": 420},
    {"code": "INTRA-OLD", "name": "Staff intranet (2010)",
     "description": "The former staff intranet. Content and forms moved to the records "
                    "management system; its servers still run.",
     "business_owner": ISABEL, "technical_owner": RAFAEL, "lifecycle": Lifecycle.RETIRED,
     "criticality": Criticality.LOW, "fit": (1, 1), "annual_run_cost": "6000",
     "user_count": 0, "hosting": Hosting.ON_PREMISES,
     "technologies": ["SharePoint 2010", "Windows Server 2008"],
     "vendor": "Microsoft", "contract_end": -400},
    {"code": "CRM-010", "name": "010 contact centre CRM",
     "description": "Calls and cases of the 010 citizen phone line. Sound SaaS, but weak "
                    "reporting and no link to the portal's cases.",
     "business_owner": ELENA, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.MEDIUM, "fit": (2, 4), "annual_run_cost": "36000",
     "user_count": 35, "hosting": Hosting.SAAS, "technologies": ["Salesforce"],
     "vendor": "Salesforce", "contract_end": 150},
    {"code": "FIN-INV", "name": "E-invoicing hub",
     "description": "Receives suppliers' electronic invoices from the national hub and "
                    "registers them in the ERP. Manual checks remain.",
     "business_owner": DANIEL, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.MEDIUM, "fit": (2, 3), "annual_run_cost": "9000",
     "user_count": 25, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Java", "Apache Camel"],
     "vendor": "In-house (IT Service)", "contract_end": None},
    {"code": "POL-FINES", "name": "Traffic fines",
     "description": "Local police fines: notices, appeals and transfer to enforcement. To be "
                    "replaced by the fines module of the tax management platform.",
     "business_owner": DANIEL, "technical_owner": RAFAEL, "lifecycle": Lifecycle.SUNSETTING,
     "criticality": Criticality.MEDIUM, "fit": (1, 2), "annual_run_cost": "18000",
     "user_count": 30, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Visual Basic 6", "SQL Server"],
     "vendor": "Sancion Soft", "contract_end": -30},
    {"code": "OPEN-DATA", "name": "Open data portal",
     "description": "Publishes municipal datasets (budget, register statistics, map layers) "
                    "under open licences.",
     "business_owner": ISABEL, "technical_owner": MIGUEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.LOW, "fit": (3, 4), "annual_run_cost": "7000",
     "user_count": 3200, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["CKAN", "Python", "PostgreSQL"],
     "vendor": "In-house (IT Service)", "contract_end": None},
    {"code": "BI-DW", "name": "Management dashboards",
     "description": "Data warehouse and dashboards for the Mayor's Office and heads of "
                    "department.",
     "business_owner": LAURA, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.MEDIUM, "fit": (3, 3), "annual_run_cost": "15000",
     "user_count": 55, "hosting": Hosting.SAAS, "technologies": ["Power BI", "SQL Server"],
     "vendor": "Microsoft", "contract_end": 240},
    {"code": "PAY-HR", "name": "Payroll and HR",
     "description": "Payroll, staff records and leave for 1,100 employees. Reliable, but no "
                    "employee self-service and every change goes through HR.",
     "business_owner": PILAR, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.HIGH, "fit": (2, 3), "annual_run_cost": "48000",
     "user_count": 25, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Oracle Database", "Java"],
     "vendor": "Nominasoft", "contract_end": 365},
    {"code": "LIB-MGMT", "name": "Library management",
     "description": "Catalogue, loans and members of the four municipal libraries; staff "
                    "find it clumsy.",
     "business_owner": ELENA, "technical_owner": RAFAEL, "lifecycle": Lifecycle.IN_PRODUCTION,
     "criticality": Criticality.LOW, "fit": (2, 4), "annual_run_cost": "11000",
     "user_count": 9000, "hosting": Hosting.SAAS, "technologies": ["Koha"],
     "vendor": "Bibliotech Cloud", "contract_end": 120},
]

RIVERTON_DEPENDENCIES = [
    *[(code, "IAM-SSO", AUTHENTICATION, "Staff and citizens sign in through single sign-on.")
      for code in ("CIT-PORTAL", "ERP-FIN", "DOC-RM", "PAY-HR", "PRM-OLD", "GIS-CORE",
                   "BI-DW", "CRM-010", "TAX-NEW", "PRM-ONL", "LIB-MGMT")],
    ("TAX-LEG", "ERP-FIN", BATCH, "Daily collections posted to accounting."),
    ("PAY-HR", "ERP-FIN", BATCH, "Monthly payroll posting."),
    ("FIN-INV", "ERP-FIN", API, "Registers the invoices received."),
    ("PRM-OLD", "ERP-FIN", DATA_FLOW, "Permit fees and guarantees."),
    ("TAX-NEW", "ERP-FIN", API, "Revenue and refunds."),
    ("POL-FINES", "ERP-FIN", BATCH, "Fines collected."),
    ("BI-DW", "ERP-FIN", DATA_FLOW, "Budget execution extract."),
    ("CIT-PORTAL", "REG-PAD", API, "Residency certificates."),
    ("CIT-PORTAL", "TAX-LEG", API, "Tax receipts and online payments."),
    ("CIT-PORTAL", "PRM-OLD", API, "Status of permit files."),
    ("CIT-PORTAL", "DOC-RM", API, "Stores submitted forms and attachments."),
    ("PRM-OLD", "DOC-RM", API, "Documents of permit files."),
    ("PRM-OLD", "GIS-CORE", API, "Parcel and zoning lookup."),
    # The register and the GIS feed each other: a cycle the portfolio reports.
    ("REG-PAD", "GIS-CORE", API, "Validates addresses against the street map."),
    ("GIS-CORE", "REG-PAD", BATCH, "Residents per parcel, loaded nightly."),
    ("OPEN-DATA", "GIS-CORE", BATCH, "Map layers exported weekly."),
    ("OPEN-DATA", "BI-DW", BATCH, "Published indicators."),
    ("BI-DW", "TAX-LEG", BATCH, "Collection figures."),
    ("BI-DW", "REG-PAD", BATCH, "Population statistics."),
    ("TAX-NEW", "REG-PAD", API, "Taxpayers' addresses."),
    ("POL-FINES", "TAX-LEG", BATCH, "Unpaid fines sent to enforcement."),
    ("PRM-ONL", "PRM-OLD", SHARED_DATABASE, "Writes applications into the permits database."),
]

RIVERTON_OBJECTIVES = [
    {"title": "Every municipal procedure online by the end of next year",
     "description": "All 214 procedures of the procedures catalogue can be started and "
                    "followed online, with the national e-ID or the council's login.",
     "years": (0, 1), "owner": LAURA, "status": ObjectiveStatus.ACTIVE,
     "applications": ["CIT-PORTAL", "PRM-ONL", "DOC-RM", "IAM-SSO"]},
    {"title": "Halve the time to grant a minor works permit",
     "description": "From 64 to 32 calendar days on average, from complete application to "
                    "resolution.",
     "years": (0, 0), "owner": TOMAS, "status": ObjectiveStatus.ACTIVE,
     "applications": ["PRM-OLD", "PRM-ONL", "GIS-CORE"]},
    {"title": "Modern tax collection with arrears down 15%",
     "description": "Replace the legacy tax system and cut arrears by 15% against last "
                    "year's baseline.",
     "years": (0, 1), "owner": CARMEN, "status": ObjectiveStatus.ACTIVE,
     "applications": ["TAX-NEW", "TAX-LEG", "ERP-FIN", "POL-FINES"]},
    {"title": "Open municipal data by default",
     "description": "Publish the budget, register statistics and urban planning datasets, "
                    "updated at least monthly.",
     "years": (0, 0), "owner": ISABEL, "status": ObjectiveStatus.ACTIVE,
     "applications": ["OPEN-DATA", "GIS-CORE", "BI-DW"]},
    {"title": "Move the staff intranet to the records management system",
     "description": "All intranet content and forms in the records management system; the "
                    "2010 intranet closed to staff.",
     "years": (-1, -1), "owner": RAFAEL, "status": ObjectiveStatus.ACHIEVED,
     "applications": ["INTRA-OLD", "DOC-RM"]},
]

RIVERTON_DEMANDS = [
    {"title": "Online application for minor works permits",
     "description": "Citizens and architects apply for minor works permits online, upload "
                    "plans, pay the fee and follow the file, instead of queuing at the "
                    "one-stop office.",
     "type": DemandType.NEW_SYSTEM, "applications": ["PRM-ONL", "PRM-OLD", "CIT-PORTAL"],
     "objectives": ["Every municipal procedure online by the end of next year",
                    "Halve the time to grant a minor works permit"],
     "requester": TOMAS, "scores": (13, 8, 5, 13), "target": 75,
     "steps": [(SUBMITTED, 118, ""),
               (ASSESSED, 111, "Scope confirmed with Urban Planning; effort estimated with "
                               "the supplier."),
               (APPROVED, 100, "Approved by the steering committee."),
               (SCHEDULED, 92, "Planned in the supplier's releases 1 to 3."),
               (IN_PROGRESS, 70, "Release 1 development started.")]},
    {"title": "Show permit applications on the municipal map",
     "description": "Inspectors see pending permit applications on the GIS map to plan their "
                    "visits by neighbourhood.",
     "type": DemandType.EVOLUTION, "applications": ["GIS-CORE", "PRM-OLD"],
     "objectives": ["Halve the time to grant a minor works permit"],
     "requester": MIGUEL, "scores": (5, 3, 2, 5), "target": 60,
     "steps": [(SUBMITTED, 95, ""), (ASSESSED, 88, ""), (APPROVED, 80, ""),
               (SCHEDULED, 60, "Starts when online permits release 2 is live.")]},
    {"title": "Apply the new municipal tax ordinance in tax collection",
     "description": "New rates and rebates of the property and vehicle taxes approved by "
                    "the plenary, in force from 1 January.",
     "type": DemandType.REGULATORY, "applications": ["TAX-LEG"],
     "objectives": ["Modern tax collection with arrears down 15%"],
     "requester": CARMEN, "scores": (8, 20, 8, 5), "target": -60,
     "steps": [(SUBMITTED, 120, ""), (ASSESSED, 116, ""),
               (APPROVED, 112, "Legal obligation: approved without waiting for the "
                               "committee."),
               (SCHEDULED, 105, ""), (IN_PROGRESS, 98, ""),
               (DELIVERED, 61, "In production; the first quarterly run was checked by the "
                               "Tax Office.")]},
    {"title": "Migrate tax data to the new tax platform",
     "description": "Taxpayers, tax objects, debts and payment history since 2010 moved from "
                    "the legacy system, reconciled to the cent.",
     "type": DemandType.INFRASTRUCTURE, "applications": ["TAX-NEW", "TAX-LEG"],
     "objectives": ["Modern tax collection with arrears down 15%"],
     "requester": CARMEN, "scores": (13, 8, 13, 20), "target": 150,
     "steps": [(SUBMITTED, 60, ""), (ASSESSED, 50, ""),
               (APPROVED, 34, "Approved with the budget of the tax platform's first phase.")]},
    {"title": "Employee self-service for payslips and leave",
     "description": "Employees download payslips and request leave online instead of "
                    "e-mailing HR.",
     "type": DemandType.EVOLUTION, "applications": ["PAY-HR", "IAM-SSO"], "objectives": [],
     "requester": PILAR, "scores": (5, 2, 1, 8), "target": None,
     "steps": [(SUBMITTED, 40, ""),
               (ASSESSED, 29, "Low urgency, and the payroll system is to be tolerated: "
                              "compare with a SaaS self-service first.")]},
    {"title": "Online appointment booking for the one-stop office",
     "description": "Citizens book a time slot for the one-stop office online; the 010 line "
                    "sees the bookings.",
     "type": DemandType.NEW_SYSTEM, "applications": ["CIT-PORTAL", "CRM-010"],
     "objectives": ["Every municipal procedure online by the end of next year"],
     "requester": ELENA, "scores": (8, 5, 2, 5), "target": 120,
     "steps": [(SUBMITTED, 12, "")]},
    {"title": "Fix duplicate residents after changes of address",
     "description": "A change of address sometimes creates a second resident record, which "
                    "then receives two tax notices.",
     "type": DemandType.CORRECTIVE, "applications": ["REG-PAD", "GIS-CORE"], "objectives": [],
     "requester": ELENA, "scores": (3, 8, 5, 2), "target": -40,
     "steps": [(SUBMITTED, 85, ""), (ASSESSED, 83, ""), (APPROVED, 80, ""),
               (SCHEDULED, 78, ""), (IN_PROGRESS, 72, ""),
               (DELIVERED, 50, "Duplicates merged; address validation fixed in the GIS "
                               "interface.")]},
    {"title": "Automatic reminders for unpaid traffic fines",
     "description": "Send a reminder before an unpaid fine goes to enforcement.",
     "type": DemandType.EVOLUTION, "applications": ["POL-FINES"],
     "objectives": ["Modern tax collection with arrears down 15%"],
     "requester": DANIEL, "scores": (3, 3, 1, 5), "target": None,
     "steps": [(SUBMITTED, 70, ""), (ASSESSED, 62, ""),
               (REJECTED, 55, "The fines system is being replaced by the fines module of the "
                              "tax platform; reminders go into that scope instead of a system "
                              "we are switching off.")]},
    {"title": "Switch off the 2010 intranet servers",
     "description": "Archive the remaining content and decommission the servers and their "
                    "licences.",
     "type": DemandType.DECOMMISSIONING, "applications": ["INTRA-OLD"], "objectives": [],
     "requester": RAFAEL, "scores": (2, 3, 8, 2), "target": 20,
     "steps": [(SUBMITTED, 50, ""), (ASSESSED, 45, ""), (APPROVED, 40, ""),
               (SCHEDULED, 33, ""), (IN_PROGRESS, 20, "Content archived; servers next.")]},
    {"title": "Publish granted building permits as open data",
     "description": "A monthly dataset of granted building permits with location and type of "
                    "works.",
     "type": DemandType.EVOLUTION, "applications": ["OPEN-DATA", "PRM-OLD"],
     "objectives": ["Open municipal data by default"],
     "requester": ISABEL, "scores": (3, 1, 1, 3), "target": None,
     "steps": [(SUBMITTED, 100, ""), (ASSESSED, 90, ""),
               (WITHDRAWN, 76, "Withdrawn until the data protection officer's anonymisation "
                               "rules are agreed.")]},
    {"title": "Monthly budget execution dashboard for the plenary",
     "description": "Budget execution by programme and chapter, refreshed monthly, for the "
                    "council plenary and the opposition groups.",
     "type": DemandType.EVOLUTION, "applications": ["BI-DW", "ERP-FIN"],
     "objectives": ["Open municipal data by default"],
     "requester": DANIEL, "scores": (8, 5, 3, 3), "target": 30,
     "steps": [(SUBMITTED, 55, ""), (ASSESSED, 48, ""), (APPROVED, 41, ""),
               (SCHEDULED, 30, "")]},
    {"title": "Validation rules for suppliers' electronic invoices",
     "description": "Reject invoices without a valid purchase order or contract code when "
                    "they arrive, as the new public procurement rules require.",
     "type": DemandType.REGULATORY, "applications": ["FIN-INV", "ERP-FIN"], "objectives": [],
     "requester": DANIEL, "scores": (5, 13, 5, 3), "target": 45,
     "steps": [(SUBMITTED, 25, ""), (ASSESSED, 15, "")]},
    {"title": "Single sign-on for the library management system",
     "description": "Library staff sign in with their council account instead of a separate "
                    "password.",
     "type": DemandType.EVOLUTION, "applications": ["LIB-MGMT", "IAM-SSO"], "objectives": [],
     "requester": RAFAEL, "scores": (2, 1, 3, 2), "target": None,
     "steps": [(SUBMITTED, 6, "")]},
]

# --- Eastmoor Regional Health Service (health) -----------------------------------------------

ANA = "ana.beltran@eastmoor-health.example"
JAVIER = "javier.ruiz@eastmoor-health.example"
LUCIA = "lucia.ferrer@eastmoor-health.example"
MONTSERRAT = "montserrat.ibanez@eastmoor-health.example"
PABLO = "pablo.serrano@eastmoor-health.example"
ROSA = "rosa.aguilar@eastmoor-health.example"
HUGO = "hugo.cano@eastmoor-health.example"
VICTOR = "victor.pascual@eastmoor-health.example"
CLARA = "clara.rubio@eastmoor-health.example"
TERESA = "teresa.blanco@eastmoor-health.example"
SERGIO = "sergio.lara@eastmoor-health.example"

EASTMOOR_APPLICATIONS = [
    {"code": "IAM-AD", "name": "Identity and single sign-on",
     "description": "Directory and single sign-on for clinical workstations, with tap-and-go "
                    "badges.",
     "business_owner": JAVIER, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (3, 4), "annual_run_cost": "55000", "user_count": 9800,
     "hosting": Hosting.ON_PREMISES, "technologies": ["Active Directory", "Imprivata OneSign"],
     "vendor": "Microsoft and Imprivata", "contract_end": 300},
    {"code": "INT-ENG", "name": "Integration engine",
     "description": "HL7 and FHIR message broker between clinical systems: every order, "
                    "result and admission passes through it.",
     "business_owner": JAVIER, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 4), "annual_run_cost": "70000", "user_count": 12,
     "hosting": Hosting.ON_PREMISES, "technologies": ["InterSystems HealthShare", "HL7 FHIR"],
     "vendor": "InterSystems", "contract_end": 480},
    {"code": "EMPI", "name": "Master patient index",
     "description": "One identifier per patient across the hospitals and primary care; "
                    "finds and merges duplicates.",
     "business_owner": LUCIA, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 4), "annual_run_cost": "30000", "user_count": 300,
     "hosting": Hosting.PRIVATE_CLOUD, "technologies": ["Java", "PostgreSQL"],
     "vendor": "In-house (Health Information Systems)", "contract_end": None},
    {"code": "EHR-HOSP", "name": "Hospital electronic health record",
     "description": "The new record for inpatients, emergency and outpatients of the three "
                    "hospitals, rolled out ward by ward.",
     "business_owner": LUCIA, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 3), "annual_run_cost": "1850000", "user_count": 7200,
     "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["MedicaSoft EHR", "Oracle Database", "HL7 FHIR"],
     "vendor": "MedicaSoft Iberia", "contract_end": 1600},
    {"code": "EHR-LEG", "name": "Legacy clinical workstation",
     "description": "Clinical notes and orders of the wards not yet on the new record; "
                    "switched off ward by ward.",
     "business_owner": LUCIA, "technical_owner": JAVIER, "lifecycle": Lifecycle.SUNSETTING,
     "criticality": Criticality.HIGH, "fit": (2, 1), "annual_run_cost": "240000",
     "user_count": 2100, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Delphi", "Oracle Database"],
     "vendor": "Hospisoft", "contract_end": 150},
    {"code": "PACS", "name": "Picture archiving and communication system",
     "description": "Stores and displays CT, MR, X-ray and ultrasound images. Radiologists "
                    "rely on it, but storage is near capacity and the viewer is not "
                    "supported on new workstations.",
     "business_owner": PABLO, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 2), "annual_run_cost": "310000", "user_count": 650,
     "hosting": Hosting.ON_PREMISES, "technologies": ["DICOM", "Windows Server 2012"],
     "vendor": "ImaVision", "contract_end": 90},
    {"code": "RIS", "name": "Radiology information system",
     "description": "Radiology worklists, scheduling and reports. Technically sound, but "
                    "radiologists dictate outside it and re-type reports.",
     "business_owner": PABLO, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (2, 3),
     "annual_run_cost": "85000", "user_count": 240, "hosting": Hosting.ON_PREMISES,
     "technologies": [".NET", "SQL Server"], "vendor": "ImaVision", "contract_end": 90},
    {"code": "LIS", "name": "Laboratory information system",
     "description": "Orders, analysers, validation and results of the clinical laboratory "
                    "for hospitals and primary care.",
     "business_owner": HUGO, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (3, 3), "annual_run_cost": "120000", "user_count": 310,
     "hosting": Hosting.ON_PREMISES, "technologies": ["Java", "Oracle Database", "HL7 v2"],
     "vendor": "LabSys", "contract_end": 700},
    {"code": "PHARM", "name": "Pharmacy and unit-dose dispensing",
     "description": "Hospital pharmacy stock, validation of prescriptions and unit-dose "
                    "carts. The vendor ends support next year.",
     "business_owner": ROSA, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (3, 2),
     "annual_run_cost": "60000", "user_count": 95, "hosting": Hosting.ON_PREMISES,
     "technologies": ["PowerBuilder", "SQL Server"],
     "vendor": "FarmaSoft (MedTech Group)", "contract_end": 270,
     "override": (TimeClass.ELIMINATE,
                  "Computed Migrate (good functional fit, poor technology), but the EHR's "
                  "medication module covers validation and unit-dose dispensing from next "
                  "year. Migrating the pharmacy system would pay twice for the same "
                  "function: the programme board chose to eliminate it at the EHR medication "
                  "go-live.")},
    {"code": "EPRESC", "name": "Electronic prescription",
     "description": "Regional e-prescription: prescriptions from hospitals and primary care "
                    "dispensed in any community pharmacy.",
     "business_owner": ROSA, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 3), "annual_run_cost": "90000", "user_count": 5200,
     "hosting": Hosting.PRIVATE_CLOUD, "technologies": ["Java", "HL7 FHIR"],
     "vendor": "Regional Health Ministry (shared service)", "contract_end": None},
    {"code": "APPT", "name": "Appointments and waiting lists",
     "description": "Outpatient appointments and waiting lists of the three hospitals. "
                    "Stable since the last upgrade, but slow to use and hard to change.",
     "business_owner": ANA, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (2, 3),
     "annual_run_cost": "75000", "user_count": 900, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Java", "Oracle Database"], "vendor": "Hospisoft", "contract_end": 400},
    {"code": "PAT-APP", "name": "Patient app and portal",
     "description": "Appointments, results and messages for patients. In development; "
                    "pilot next spring.",
     "business_owner": ANA, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_DEVELOPMENT, "criticality": Criticality.MEDIUM, "fit": None,
     "annual_run_cost": "40000", "user_count": None, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["React Native", "Node.js"],
     "vendor": "Appworks Health", "contract_end": 700},
    {"code": "PC-EHR", "name": "Primary care record",
     "description": "Record of the 62 primary care centres, run by the regional ministry; "
                    "few changes are possible locally.",
     "business_owner": SERGIO, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (2, 4),
     "annual_run_cost": "45000", "user_count": 1800, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["Java", "Oracle Database"],
     "vendor": "Regional Health Ministry (shared service)", "contract_end": None},
    {"code": "ERP-SUP", "name": "Supply chain and finance ERP",
     "description": "Purchasing, stock of medical supplies, accounting and payroll posting.",
     "business_owner": VICTOR, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (3, 3),
     "annual_run_cost": "260000", "user_count": 420, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["SAP S/4HANA"], "vendor": "Salud Consulting", "contract_end": 500},
    {"code": "HR-ROSTER", "name": "Staff rostering",
     "description": "Shifts and rosters of 6,000 staff: the functions the wards need, on an "
                    "outdated client-server platform.",
     "business_owner": MONTSERRAT, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (3, 2),
     "annual_run_cost": "50000", "user_count": 380, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Visual Basic 6", "SQL Server"],
     "vendor": "TurnoSoft", "contract_end": 60},
    {"code": "BI-CLIN", "name": "Clinical dashboards",
     "description": "Planned dashboards of activity, waiting lists and quality indicators "
                    "from the EHR and the ERP.",
     "business_owner": ANA, "technical_owner": JAVIER, "lifecycle": Lifecycle.PROPOSED,
     "criticality": Criticality.MEDIUM, "fit": None, "annual_run_cost": None,
     "user_count": None, "hosting": Hosting.SAAS, "technologies": ["Power BI"],
     "vendor": "Microsoft", "contract_end": None},
    {"code": "OLD-DICT", "name": "Voice dictation server",
     "description": "The former radiology dictation server, replaced by speech recognition; "
                    "kept read-only for old recordings.",
     "business_owner": PABLO, "technical_owner": JAVIER, "lifecycle": Lifecycle.RETIRED,
     "criticality": Criticality.LOW, "fit": (1, 1), "annual_run_cost": "4000",
     "user_count": 0, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Windows Server 2008"], "vendor": "DictaMed", "contract_end": -500},
    {"code": "DIET", "name": "Kitchen and diet orders",
     "description": "Diet orders from the wards to the kitchens of the three hospitals, "
                    "duplicated by the EHR's nutrition orders.",
     "business_owner": MONTSERRAT, "technical_owner": JAVIER,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.LOW, "fit": (2, 2),
     "annual_run_cost": "12000", "user_count": 150, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Microsoft Access", "SQL Server"],
     "vendor": "In-house (Hotel services)", "contract_end": None},
]

EASTMOOR_DEPENDENCIES = [
    *[(code, "IAM-AD", AUTHENTICATION, "Clinicians sign in with their badge.")
      for code in ("EHR-HOSP", "EHR-LEG", "PACS", "RIS", "LIS", "PHARM", "APPT", "ERP-SUP",
                   "HR-ROSTER", "BI-CLIN")],
    ("EHR-HOSP", "INT-ENG", MESSAGING, "Orders, results and admissions."),
    ("EHR-LEG", "INT-ENG", MESSAGING, "Admissions and results of the wards not migrated."),
    ("LIS", "INT-ENG", MESSAGING, "Laboratory results."),
    ("RIS", "INT-ENG", MESSAGING, "Imaging orders and reports."),
    ("PHARM", "INT-ENG", MESSAGING, "Dispensing events."),
    ("APPT", "INT-ENG", MESSAGING, "Appointment bookings and cancellations."),
    ("EPRESC", "INT-ENG", MESSAGING, "Hospital prescriptions."),
    ("PC-EHR", "INT-ENG", MESSAGING, "Laboratory orders and results for primary care."),
    ("INT-ENG", "EMPI", API, "Patient identity lookup and merge events."),
    ("EHR-HOSP", "EMPI", API, "Patient identity at admission."),
    ("APPT", "EMPI", API, "Patient identity at booking."),
    ("EHR-LEG", "EMPI", SHARED_DATABASE, "Reads the patient index tables directly."),
    # Radiology's two systems call each other: a cycle the portfolio reports.
    ("RIS", "PACS", API, "Worklists and links to the studies."),
    ("PACS", "RIS", MESSAGING, "Study-complete notifications."),
    ("EHR-HOSP", "PACS", API, "Image viewer launched from the record."),
    ("PAT-APP", "APPT", API, "Booking and rescheduling."),
    ("PAT-APP", "EHR-HOSP", API, "Results and reports for patients."),
    ("BI-CLIN", "EHR-HOSP", BATCH, "Nightly activity extract."),
    ("BI-CLIN", "ERP-SUP", BATCH, "Costs per service."),
    ("BI-CLIN", "APPT", BATCH, "Waiting lists."),
    ("PHARM", "ERP-SUP", BATCH, "Stock consumption."),
    ("HR-ROSTER", "ERP-SUP", BATCH, "Worked hours for payroll."),
    ("DIET", "EHR-LEG", DATA_FLOW, "Diet orders from the wards on the legacy workstation."),
]

EASTMOOR_OBJECTIVES = [
    {"title": "One electronic health record in all three hospitals",
     "description": "Every ward, emergency department and outpatient clinic on the new "
                    "record; the legacy clinical workstation switched off.",
     "years": (0, 1), "owner": LUCIA, "status": ObjectiveStatus.ACTIVE,
     "applications": ["EHR-HOSP", "EHR-LEG", "INT-ENG", "EMPI"]},
    {"title": "Cut outpatient waiting times by 20%",
     "description": "Average days to a first outpatient appointment down from 74 to 59, "
                    "with online booking and rescheduling.",
     "years": (0, 1), "owner": ANA, "status": ObjectiveStatus.ACTIVE,
     "applications": ["APPT", "PAT-APP"]},
    {"title": "Closed-loop medication management",
     "description": "Prescription, validation, dispensing and administration recorded "
                    "electronically for every inpatient dose.",
     "years": (0, 1), "owner": ROSA, "status": ObjectiveStatus.ACTIVE,
     "applications": ["PHARM", "EPRESC", "EHR-HOSP"]},
    {"title": "Renew the imaging platform",
     "description": "Imaging storage for ten years of growth and a viewer supported on "
                    "current workstations.",
     "years": (0, 0), "owner": PABLO, "status": ObjectiveStatus.ACTIVE,
     "applications": ["PACS", "RIS"]},
    {"title": "Digital laboratory requests from primary care",
     "description": "All primary care laboratory requests sent and answered electronically.",
     "years": (-1, -1), "owner": HUGO, "status": ObjectiveStatus.ACHIEVED,
     "applications": ["LIS", "PC-EHR"]},
]

EASTMOOR_DEMANDS = [
    {"title": "Emergency department module of the EHR",
     "description": "Triage, emergency notes, orders and discharge in the new record for the "
                    "three emergency departments.",
     "type": DemandType.EVOLUTION, "applications": ["EHR-HOSP", "INT-ENG"],
     "objectives": ["One electronic health record in all three hospitals"],
     "requester": LUCIA, "scores": (20, 13, 13, 20), "target": 40,
     "steps": [(SUBMITTED, 116, ""), (ASSESSED, 108, ""),
               (APPROVED, 99, "Approved by the programme board within the current budget."),
               (SCHEDULED, 90, ""), (IN_PROGRESS, 64, "Build started with the supplier.")]},
    {"title": "Expand PACS storage with a vendor-neutral archive",
     "description": "Storage for ten years of studies, independent of the viewer's vendor.",
     "type": DemandType.INFRASTRUCTURE, "applications": ["PACS"],
     "objectives": ["Renew the imaging platform"],
     "requester": PABLO, "scores": (8, 13, 13, 8), "target": 90,
     "steps": [(SUBMITTED, 65, ""), (ASSESSED, 58, ""),
               (APPROVED, 44, "Fast-tracked: storage reaches capacity within months.")]},
    {"title": "Barcode labels for unit-dose dispensing",
     "description": "Print a barcode on every unit dose so nurses can scan it at the "
                    "bedside.",
     "type": DemandType.EVOLUTION, "applications": ["PHARM"],
     "objectives": ["Closed-loop medication management"],
     "requester": ROSA, "scores": (5, 3, 5, 5), "target": None,
     "steps": [(SUBMITTED, 80, ""), (ASSESSED, 72, ""),
               (REJECTED, 66, "The pharmacy system is to be eliminated at the EHR medication "
                              "go-live (TIME override). Barcode labelling is part of that "
                              "rollout; resubmit if it slips.")]},
    {"title": "Online rescheduling of appointments in the patient app",
     "description": "Patients move or cancel outpatient appointments from the app; freed "
                    "slots go back to the waiting list.",
     "type": DemandType.EVOLUTION, "applications": ["PAT-APP", "APPT"],
     "objectives": ["Cut outpatient waiting times by 20%"],
     "requester": TERESA, "scores": (8, 5, 3, 5), "target": 120,
     "steps": [(SUBMITTED, 90, ""), (ASSESSED, 82, ""), (APPROVED, 70, ""),
               (SCHEDULED, 52, "Planned for the app's second release.")]},
    {"title": "Interface the new chemistry analysers to the laboratory system",
     "description": "Bidirectional interfaces for the four chemistry analysers installed "
                    "this year.",
     "type": DemandType.EVOLUTION, "applications": ["LIS", "INT-ENG"], "objectives": [],
     "requester": HUGO, "scores": (5, 8, 5, 3), "target": -20,
     "steps": [(SUBMITTED, 110, ""), (ASSESSED, 104, ""), (APPROVED, 97, ""),
               (SCHEDULED, 90, ""), (IN_PROGRESS, 75, ""),
               (DELIVERED, 38, "All four analysers live after certification.")]},
    {"title": "Annual update of clinical coding",
     "description": "Load the new edition of the diagnosis and procedure classification in "
                    "both clinical records.",
     "type": DemandType.REGULATORY, "applications": ["EHR-HOSP", "EHR-LEG"], "objectives": [],
     "requester": LUCIA, "scores": (3, 20, 5, 3), "target": -50,
     "steps": [(SUBMITTED, 120, ""), (ASSESSED, 118, ""), (APPROVED, 115, ""),
               (SCHEDULED, 110, ""), (IN_PROGRESS, 100, ""),
               (DELIVERED, 72, "Both records code with the new edition since 1 January.")]},
    {"title": "Shift swaps requested by nurses in the rostering system",
     "description": "Nurses request and accept shift swaps themselves; supervisors approve.",
     "type": DemandType.EVOLUTION, "applications": ["HR-ROSTER"], "objectives": [],
     "requester": MONTSERRAT, "scores": (5, 3, 2, 3), "target": None,
     "steps": [(SUBMITTED, 34, ""),
               (ASSESSED, 21, "Worth doing, but the rostering system is to be migrated: "
                              "weigh it against the migration.")]},
    {"title": "Radiology report turnaround dashboard",
     "description": "Time from study to signed report, per modality and radiologist.",
     "type": DemandType.EVOLUTION, "applications": ["BI-CLIN", "RIS"],
     "objectives": ["Renew the imaging platform"],
     "requester": PABLO, "scores": (3, 2, 2, 3), "target": None,
     "steps": [(SUBMITTED, 9, "")]},
    {"title": "Lost laboratory orders after patient merges",
     "description": "When two patient records are merged in the index, pending laboratory "
                    "orders of the duplicate disappear from the laboratory worklist.",
     "type": DemandType.CORRECTIVE, "applications": ["EMPI", "LIS"], "objectives": [],
     "requester": HUGO, "scores": (5, 13, 8, 3), "target": 10,
     "steps": [(SUBMITTED, 45, ""), (ASSESSED, 43, ""), (APPROVED, 42, ""),
               (SCHEDULED, 40, ""),
               (IN_PROGRESS, 36, "Root cause found in the handling of merge messages.")]},
    {"title": "New kitchen and diet ordering system",
     "description": "Replace the diet ordering database with a product that supports "
                    "allergens and texture-modified diets.",
     "type": DemandType.NEW_SYSTEM, "applications": ["DIET"], "objectives": [],
     "requester": MONTSERRAT, "scores": (2, 2, 1, 8), "target": None,
     "steps": [(SUBMITTED, 75, ""),
               (WITHDRAWN, 60, "Withdrawn: the EHR's nutrition orders cover the wards' needs; "
                               "the kitchens will read them from the EHR.")]},
    {"title": "Nursing e-prescription under the regional decree",
     "description": "Nurses prescribe the medicines and products the decree allows, in "
                    "hospitals and primary care.",
     "type": DemandType.REGULATORY, "applications": ["EPRESC", "PC-EHR"],
     "objectives": ["Closed-loop medication management"],
     "requester": MONTSERRAT, "scores": (8, 13, 5, 8), "target": 180,
     "steps": [(SUBMITTED, 28, ""),
               (ASSESSED, 14, "Eligible for the regional interoperability funding.")]},
    {"title": "Switch off the legacy dictation server",
     "description": "Export the old recordings to the archive and decommission the server.",
     "type": DemandType.DECOMMISSIONING, "applications": ["OLD-DICT"], "objectives": [],
     "requester": JAVIER, "scores": (1, 2, 5, 1), "target": 30,
     "steps": [(SUBMITTED, 70, ""), (ASSESSED, 62, ""), (APPROVED, 55, ""),
               (SCHEDULED, 41, "After the recordings are exported to the archive.")]},
    {"title": "Multi-factor authentication for remote clinical access",
     "description": "A second factor for clinicians reaching clinical systems from outside "
                    "the hospital network.",
     "type": DemandType.INFRASTRUCTURE, "applications": ["IAM-AD"], "objectives": [],
     "requester": CLARA, "scores": (5, 8, 13, 5), "target": None,
     "steps": [(SUBMITTED, 4, "")]},
]

# --- National Agency for Digital Government (central government) -----------------------------

RICARDO = "ricardo.alonso@digital-agency.example"
MARTA = "marta.santos@digital-agency.example"
NURIA = "nuria.campos@digital-agency.example"
ALBERTO = "alberto.fuentes@digital-agency.example"
GONZALO = "gonzalo.herrero@digital-agency.example"
PATRICIA = "patricia.moreno@digital-agency.example"
ESTEBAN = "esteban.vega@digital-agency.example"
DIEGO = "diego.rivas@digital-agency.example"
SOFIA = "sofia.cabrera@digital-agency.example"

AGENCY_APPLICATIONS = [
    {"code": "EID-PLAT", "name": "Digital identity platform",
     "description": "Citizen login for every administration: national e-ID card, "
                    "certificates and registered user keys.",
     "business_owner": NURIA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 4), "annual_run_cost": "1200000", "user_count": 14500000,
     "hosting": Hosting.HYBRID,
     "technologies": ["Java", "Keycloak", "Oracle Database", "Kubernetes"],
     "vendor": "Sistemas Públicos SA", "contract_end": 420},
    {"code": "EID-CERT", "name": "Certificate signature service",
     "description": "Server-side signing and validation with qualified certificates. Sound "
                    "technology, poor experience for citizens.",
     "business_owner": NURIA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (2, 3),
     "annual_run_cost": "310000", "user_count": 2100000, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["Java", "Hardware security modules"],
     "vendor": "Firmatec", "contract_end": 180},
    {"code": "NOTIF", "name": "Notification platform",
     "description": "Legal notifications from any administration to citizens and companies, "
                    "with proof of delivery.",
     "business_owner": ALBERTO, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 3), "annual_run_cost": "890000", "user_count": 6300000,
     "hosting": Hosting.PUBLIC_CLOUD, "technologies": ["Java", "Apache Kafka", "Kubernetes"],
     "vendor": "In-house (Citizen Channels Unit)", "contract_end": None},
    {"code": "DMAIL", "name": "Digital mailbox",
     "description": "Each citizen's and company's mailbox for notifications and "
                    "communications; mandatory for companies.",
     "business_owner": ALBERTO, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (3, 4), "annual_run_cost": "640000", "user_count": 3900000,
     "hosting": Hosting.PUBLIC_CLOUD, "technologies": ["Java", "Kubernetes", "Object storage"],
     "vendor": "NimbusCloud (hosting)", "contract_end": 365},
    {"code": "REG-CIT", "name": "Citizen basic data registry",
     "description": "Identity and residence data that administrations query instead of "
                    "asking citizens for certificates. On a mainframe: expensive and hard "
                    "to change.",
     "business_owner": SOFIA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 2), "annual_run_cost": "1450000", "user_count": 900,
     "hosting": Hosting.ON_PREMISES, "technologies": ["IBM z/OS", "COBOL", "Db2"],
     "vendor": "IBM", "contract_end": 240},
    {"code": "INTEROP", "name": "Data intermediation platform",
     "description": "The node through which administrations query each other's data: "
                    "identity, residence, tax and social security status.",
     "business_owner": MARTA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MISSION_CRITICAL,
     "fit": (4, 4), "annual_run_cost": "520000", "user_count": 2400,
     "hosting": Hosting.PRIVATE_CLOUD, "technologies": ["Java", "WSO2 API Manager"],
     "vendor": "In-house (Architecture)", "contract_end": None},
    {"code": "CL-FOLDER", "name": "Citizen folder",
     "description": "Where citizens follow their procedures with any administration and see "
                    "their notifications and data.",
     "business_owner": RICARDO, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (4, 3),
     "annual_run_cost": "280000", "user_count": 5200000, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["Angular", "Java"], "vendor": "Webgob Consulting", "contract_end": 540},
    {"code": "ELEC-REG", "name": "General electronic registry",
     "description": "Entry of documents addressed to any administration, with receipts. The "
                    "functions are right; the platform is ageing.",
     "business_owner": SOFIA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (3, 2),
     "annual_run_cost": "410000", "user_count": 1700000, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Java EE", "Oracle WebLogic", "Oracle Database"],
     "vendor": "Registrum SL", "contract_end": 120},
    {"code": "OPEN-DATA", "name": "National open data catalogue",
     "description": "Catalogue of 75,000 datasets from all administrations. Technically "
                    "sound; functionally behind until the bulk download API exists.",
     "business_owner": PATRICIA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MEDIUM, "fit": (2, 4),
     "annual_run_cost": "150000", "user_count": 240000, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["CKAN", "Python", "PostgreSQL"],
     "vendor": "In-house (Data Office)", "contract_end": None,
     "override": (TimeClass.INVEST,
                  "Computed Tolerate, but the EU open data directive requires high-value "
                  "datasets in bulk and through APIs: the catalogue is a legal obligation, "
                  "and its low functional fit is the gap the funded roadmap closes this year "
                  "(see the bulk download demand).")},
    {"code": "OPEN-API", "name": "Open data APIs",
     "description": "Query APIs over the catalogue's datasets for reusers.",
     "business_owner": PATRICIA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MEDIUM, "fit": (3, 4),
     "annual_run_cost": "60000", "user_count": 1800, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["Python", "FastAPI", "PostgreSQL"],
     "vendor": "In-house (Data Office)", "contract_end": None},
    {"code": "SIGN-OLD", "name": "Browser signature applet",
     "description": "Java applet for signing in the browser; browsers dropped it and the "
                    "signature service replaced it.",
     "business_owner": NURIA, "technical_owner": MARTA, "lifecycle": Lifecycle.RETIRED,
     "criticality": Criticality.LOW, "fit": (1, 1), "annual_run_cost": "5000",
     "user_count": 0, "hosting": Hosting.ON_PREMISES, "technologies": ["Java applet"],
     "vendor": "Firmatec", "contract_end": -300},
    {"code": "PAY-GW", "name": "Fees payment gateway",
     "description": "Card and bank payment of fees for administrations without their own "
                    "gateway. Reliable, but reconciliation is largely manual.",
     "business_owner": ALBERTO, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (2, 3),
     "annual_run_cost": "120000", "user_count": 850000, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["Java", "Redsys"], "vendor": "PagoRed", "contract_end": 300},
    {"code": "APPT-GOV", "name": "In-person appointment service",
     "description": "Appointments for identity checks at registration offices; being "
                    "replaced by the regions' booking services.",
     "business_owner": DIEGO, "technical_owner": MARTA, "lifecycle": Lifecycle.SUNSETTING,
     "criticality": Criticality.MEDIUM, "fit": (2, 2), "annual_run_cost": "70000",
     "user_count": 400000, "hosting": Hosting.ON_PREMISES, "technologies": ["PHP", "MySQL"],
     "vendor": "Citagest", "contract_end": 60},
    {"code": "WALLET", "name": "EU digital identity wallet pilot",
     "description": "Pilot issuing the personal identification credential to citizens' "
                    "wallets under the EU regulation.",
     "business_owner": NURIA, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_DEVELOPMENT, "criticality": Criticality.HIGH, "fit": None,
     "annual_run_cost": "200000", "user_count": None, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["Kotlin", "Swift", "OpenID for Verifiable Credentials"],
     "vendor": "Member states' pilot consortium", "contract_end": 500},
    {"code": "ERP-AGE", "name": "Agency finance and HR",
     "description": "Budget, accounting, procurement and HR of the agency.",
     "business_owner": RICARDO, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.HIGH, "fit": (3, 3),
     "annual_run_cost": "180000", "user_count": 350, "hosting": Hosting.PRIVATE_CLOUD,
     "technologies": ["SAP S/4HANA"], "vendor": "Ministry shared services",
     "contract_end": None},
    {"code": "HELP", "name": "Citizen help desk CRM",
     "description": "Calls and cases of the citizen support centre. Configurable SaaS, but "
                    "its knowledge base is unusable.",
     "business_owner": DIEGO, "technical_owner": MARTA,
     "lifecycle": Lifecycle.IN_PRODUCTION, "criticality": Criticality.MEDIUM, "fit": (2, 4),
     "annual_run_cost": "95000", "user_count": 120, "hosting": Hosting.SAAS,
     "technologies": ["Zendesk"], "vendor": "Zendesk", "contract_end": 200},
    {"code": "STATS", "name": "Digital government observatory",
     "description": "Planned public dashboards of digital government use: logins, "
                    "notifications, procedures online.",
     "business_owner": RICARDO, "technical_owner": PATRICIA, "lifecycle": Lifecycle.PROPOSED,
     "criticality": Criticality.LOW, "fit": None, "annual_run_cost": None,
     "user_count": None, "hosting": Hosting.PUBLIC_CLOUD,
     "technologies": ["Python", "Apache Superset"],
     "vendor": "In-house (Data Office)", "contract_end": None},
    {"code": "SMS-GW", "name": "SMS and e-mail relay",
     "description": "Sends SMS and e-mail alerts of new notifications; to be absorbed by the "
                    "notification platform's own channels.",
     "business_owner": ALBERTO, "technical_owner": MARTA, "lifecycle": Lifecycle.SUNSETTING,
     "criticality": Criticality.MEDIUM, "fit": (1, 2), "annual_run_cost": "140000",
     "user_count": None, "hosting": Hosting.ON_PREMISES,
     "technologies": ["Perl", "Postfix"], "vendor": "Telco Messaging", "contract_end": 90},
]

AGENCY_DEPENDENCIES = [
    *[(code, "EID-PLAT", AUTHENTICATION, "Citizens sign in with e-ID.")
      for code in ("DMAIL", "CL-FOLDER", "ELEC-REG", "PAY-GW", "APPT-GOV", "HELP",
                   "EID-CERT", "WALLET", "OPEN-API")],
    ("CL-FOLDER", "INTEROP", API, "The citizen's data held by other administrations."),
    ("ELEC-REG", "INTEROP", API, "Delivers entries to the receiving administration."),
    ("WALLET", "INTEROP", API, "Identity attributes for the credential."),
    ("EID-PLAT", "INTEROP", API, "Identity attributes at login."),
    ("INTEROP", "REG-CIT", API, "Identity and residence queries."),
    ("ELEC-REG", "NOTIF", MESSAGING, "Registry receipts."),
    ("PAY-GW", "NOTIF", MESSAGING, "Payment confirmations."),
    ("APPT-GOV", "NOTIF", MESSAGING, "Appointment confirmations."),
    ("HELP", "NOTIF", API, "Delivery status for support cases."),
    # The platform and the mailbox call each other: a cycle the portfolio reports.
    ("NOTIF", "DMAIL", API, "Deposits notifications in the mailbox."),
    ("DMAIL", "NOTIF", MESSAGING, "Read receipts and access events."),
    ("NOTIF", "SMS-GW", MESSAGING, "SMS and e-mail alerts."),
    ("CL-FOLDER", "DMAIL", API, "Shows the mailbox inside the folder."),
    ("OPEN-API", "OPEN-DATA", SHARED_DATABASE, "Reads the catalogue's database."),
    ("STATS", "EID-PLAT", BATCH, "Login statistics."),
    ("STATS", "NOTIF", BATCH, "Delivery statistics."),
    ("STATS", "OPEN-DATA", BATCH, "Publishes the observatory's datasets."),
    ("PAY-GW", "ERP-AGE", BATCH, "Fee reconciliation."),
]

AGENCY_OBJECTIVES = [
    {"title": "Digital by default: nine in ten procedures online",
     "description": "Nine in ten procedures of the state administration started and "
                    "finished online, with e-ID, by the end of next year.",
     "years": (0, 1), "owner": RICARDO, "status": ObjectiveStatus.ACTIVE,
     "applications": ["EID-PLAT", "CL-FOLDER", "ELEC-REG"]},
    {"title": "One notification channel for all administrations",
     "description": "Every administration notifies through the platform and the digital "
                    "mailbox; separate SMS and e-mail relays switched off.",
     "years": (0, 1), "owner": ALBERTO, "status": ObjectiveStatus.ACTIVE,
     "applications": ["NOTIF", "DMAIL", "SMS-GW"]},
    {"title": "Pilot the EU digital identity wallet",
     "description": "Issue the personal identification credential to 50,000 citizens and "
                    "accept it in five services.",
     "years": (0, 1), "owner": NURIA, "status": ObjectiveStatus.ACTIVE,
     "applications": ["WALLET", "EID-PLAT", "INTEROP"]},
    {"title": "Publish every high-value dataset",
     "description": "All high-value datasets of the EU implementing regulation available in "
                    "bulk and by API.",
     "years": (0, 0), "owner": PATRICIA, "status": ObjectiveStatus.ACTIVE,
     "applications": ["OPEN-DATA", "OPEN-API"]},
    {"title": "Retire browser applets from signature flows",
     "description": "No procedure depends on the Java signature applet.",
     "years": (-1, -1), "owner": NURIA, "status": ObjectiveStatus.ACHIEVED,
     "applications": ["SIGN-OLD", "EID-CERT"]},
]

AGENCY_DEMANDS = [
    {"title": "Bulk download API for high-value datasets",
     "description": "Reusers download whole high-value datasets in standard formats, with "
                    "change feeds.",
     "type": DemandType.EVOLUTION, "applications": ["OPEN-API", "OPEN-DATA"],
     "objectives": ["Publish every high-value dataset"],
     "requester": PATRICIA, "scores": (13, 13, 5, 8), "target": 60,
     "steps": [(SUBMITTED, 112, ""), (ASSESSED, 104, ""),
               (APPROVED, 95, "Funded by the open data budget line."),
               (SCHEDULED, 84, ""), (IN_PROGRESS, 57, "")]},
    {"title": "SMS fallback through the SMS relay",
     "description": "When a notification is not read within five days, send an SMS through "
                    "the relay.",
     "type": DemandType.EVOLUTION, "applications": ["NOTIF", "SMS-GW"],
     "objectives": ["One notification channel for all administrations"],
     "requester": ALBERTO, "scores": (5, 5, 3, 5), "target": None,
     "steps": [(SUBMITTED, 85, ""), (ASSESSED, 77, ""),
               (REJECTED, 64, "The SMS relay is sunsetting (TIME: Eliminate). Build the "
                              "fallback as a native channel of the notification platform: "
                              "see the demand for the native SMS channel.")]},
    {"title": "Native SMS channel in the notification platform",
     "description": "SMS alerts sent by the notification platform itself, so the relay can "
                    "be switched off.",
     "type": DemandType.EVOLUTION, "applications": ["NOTIF"],
     "objectives": ["One notification channel for all administrations"],
     "requester": ALBERTO, "scores": (8, 8, 5, 8), "target": 75,
     "steps": [(SUBMITTED, 62, ""), (ASSESSED, 56, ""), (APPROVED, 48, ""),
               (SCHEDULED, 33, "In the platform's second-quarter release.")]},
    {"title": "Issue the personal identification credential to the EU wallet",
     "description": "Citizens load their identity credential into a wallet after signing in "
                    "with e-ID.",
     "type": DemandType.NEW_SYSTEM, "applications": ["WALLET", "EID-PLAT", "INTEROP"],
     "objectives": ["Pilot the EU digital identity wallet"],
     "requester": NURIA, "scores": (20, 13, 8, 20), "target": 200,
     "steps": [(SUBMITTED, 70, ""), (ASSESSED, 58, ""),
               (APPROVED, 42, "Approved by the portfolio board; EU co-funding requested.")]},
    {"title": "Move the citizen registry off the mainframe",
     "description": "Rehost or rewrite the registry before the mainframe contract ends.",
     "type": DemandType.INFRASTRUCTURE, "applications": ["REG-CIT", "INTEROP"],
     "objectives": [], "requester": MARTA, "scores": (13, 5, 20, 20), "target": None,
     "steps": [(SUBMITTED, 50, ""),
               (ASSESSED, 37, "Options: rehost or rewrite; decision at the next portfolio "
                              "board.")]},
    {"title": "Accessibility fixes in the citizen folder",
     "description": "Fix the failures found by the accessibility audit against EN 301 549.",
     "type": DemandType.REGULATORY, "applications": ["CL-FOLDER"],
     "objectives": ["Digital by default: nine in ten procedures online"],
     "requester": DIEGO, "scores": (5, 13, 8, 3), "target": -30,
     "steps": [(SUBMITTED, 119, ""), (ASSESSED, 115, ""), (APPROVED, 110, ""),
               (SCHEDULED, 104, ""), (IN_PROGRESS, 96, ""),
               (DELIVERED, 60, "The follow-up audit found no failures.")]},
    {"title": "Renew the e-ID signing and TLS certificates",
     "description": "Certificates of the identity platform and the signature service expire "
                    "within two months.",
     "type": DemandType.CORRECTIVE, "applications": ["EID-PLAT", "EID-CERT"],
     "objectives": [], "requester": NURIA, "scores": (3, 20, 13, 2), "target": -15,
     "steps": [(SUBMITTED, 48, ""), (ASSESSED, 47, ""), (APPROVED, 46, ""),
               (SCHEDULED, 45, ""), (IN_PROGRESS, 40, ""),
               (DELIVERED, 18, "Renewed without downtime.")]},
    {"title": "Reminders for in-person identity check appointments",
     "description": "Send a reminder the day before an appointment at a registration office.",
     "type": DemandType.EVOLUTION, "applications": ["APPT-GOV"], "objectives": [],
     "requester": DIEGO, "scores": (3, 3, 1, 3), "target": None,
     "steps": [(SUBMITTED, 58, ""),
               (WITHDRAWN, 44, "Withdrawn: the regions' booking services that replace this "
                               "system already send reminders.")]},
    {"title": "Mailbox read receipts in the citizen folder",
     "description": "Citizens see in their folder when each notification was read.",
     "type": DemandType.EVOLUTION, "applications": ["DMAIL", "CL-FOLDER"],
     "objectives": ["One notification channel for all administrations"],
     "requester": ESTEBAN, "scores": (5, 2, 2, 3), "target": None,
     "steps": [(SUBMITTED, 7, "")]},
    {"title": "Regional governments file registry entries by API",
     "description": "Regional registries send entries to the general electronic registry by "
                    "API instead of re-keying them.",
     "type": DemandType.EVOLUTION, "applications": ["ELEC-REG", "INTEROP"],
     "objectives": ["Digital by default: nine in ten procedures online"],
     "requester": ESTEBAN, "scores": (8, 5, 5, 8), "target": 45,
     "steps": [(SUBMITTED, 100, ""), (ASSESSED, 93, ""), (APPROVED, 86, ""),
               (SCHEDULED, 79, ""), (IN_PROGRESS, 61, "Two regions in the sandbox.")]},
    {"title": "Strong customer authentication in the payment gateway",
     "description": "Card payments with strong customer authentication as the payment "
                    "services directive requires.",
     "type": DemandType.REGULATORY, "applications": ["PAY-GW"], "objectives": [],
     "requester": GONZALO, "scores": (3, 13, 8, 5), "target": 90,
     "steps": [(SUBMITTED, 30, ""),
               (ASSESSED, 16, "Mandatory; check whether the bank's hosted payment page "
                              "covers it before building anything.")]},
    {"title": "Knowledge base for digital mailbox questions",
     "description": "Answers to the twenty most frequent mailbox questions, shared by the "
                    "help desk and the public help pages.",
     "type": DemandType.EVOLUTION, "applications": ["HELP"], "objectives": [],
     "requester": DIEGO, "scores": (5, 3, 2, 2), "target": None,
     "steps": [(SUBMITTED, 5, "")]},
    {"title": "First public dashboard of the digital government observatory",
     "description": "Monthly figures of e-ID logins, notifications delivered and procedures "
                    "completed online, published as open data.",
     "type": DemandType.NEW_SYSTEM, "applications": ["STATS", "OPEN-API"],
     "objectives": ["Publish every high-value dataset"],
     "requester": RICARDO, "scores": (5, 2, 1, 8), "target": 150,
     "steps": [(SUBMITTED, 40, ""), (ASSESSED, 31, ""), (APPROVED, 22, "")]},
]

PORTFOLIOS = {
    "City Council of Riverton": {
        "applications": RIVERTON_APPLICATIONS, "dependencies": RIVERTON_DEPENDENCIES,
        "objectives": RIVERTON_OBJECTIVES, "demands": RIVERTON_DEMANDS,
    },
    "Eastmoor Regional Health Service": {
        "applications": EASTMOOR_APPLICATIONS, "dependencies": EASTMOOR_DEPENDENCIES,
        "objectives": EASTMOOR_OBJECTIVES, "demands": EASTMOOR_DEMANDS,
    },
    "National Agency for Digital Government": {
        "applications": AGENCY_APPLICATIONS, "dependencies": AGENCY_DEPENDENCIES,
        "objectives": AGENCY_OBJECTIVES, "demands": AGENCY_DEMANDS,
    },
}
