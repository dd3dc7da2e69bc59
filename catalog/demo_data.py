"""The demo catalog's content: taxonomies and PMO services for public-administration clients.

Plain data read by ``catalog.demo``. Shapes:
- tiers: (headline, price in euros or None, includes, commitments), essential to premium;
- indicators: (name, measures, formula, unit, direction, target, green, red, frequency);
- roles: (role slug, seniority, allocation %, responsibilities, {skill slug: minimum level},
  [certification codes]).
"""

CATEGORIES = [
    # slug, name, description
    ("governance-and-assurance", "Governance and assurance",
     "Decision rights, stage gates and independent checks that keep projects honest."),
    ("portfolio-management", "Portfolio management",
     "Choosing, balancing and steering the set of projects an organization invests in."),
    ("delivery-support", "Delivery support",
     "Hands-on help to get projects delivered: people, control and follow-up."),
    ("methods-and-standards", "Methods and standards",
     "A shared way of running projects: lifecycle, templates and guidance."),
    ("reporting-and-analytics", "Reporting and analytics",
     "Reliable status information and the data behind portfolio decisions."),
    ("capability-building", "Capability building",
     "Training and coaching so client teams run projects well on their own."),
]

VALUE_PROCESSES = [
    ("demand-management", "Demand management",
     "Capturing, qualifying and routing ideas and requests for new projects."),
    ("portfolio-prioritization", "Portfolio prioritization",
     "Ranking and selecting projects against strategy, value, risk and capacity."),
    ("planning", "Planning", "Scoping, scheduling and budgeting projects and programmes."),
    ("resource-management", "Resource management",
     "Matching people and skills to the work across projects."),
    ("risk-management", "Risk management",
     "Identifying, assessing and treating risks and issues before they hurt delivery."),
    ("change-control", "Change control",
     "Deciding on changes to scope, time and cost with the right authority."),
    ("reporting", "Reporting",
     "Producing status and performance information decision makers trust."),
    ("benefits-realization", "Benefits realization",
     "Defining, tracking and securing the benefits projects were approved for."),
    ("quality-assurance", "Quality assurance",
     "Independent checks that projects follow the agreed method and meet their criteria."),
    ("stakeholder-communication", "Stakeholder communication",
     "Keeping sponsors, users and citizens informed and engaged."),
    ("procurement-and-contracts", "Procurement and contracts",
     "Preparing tenders and steering suppliers under public contracts."),
    ("lessons-learned", "Lessons learned",
     "Capturing what worked and what did not, and feeding it into the next projects."),
]

SKILLS = [
    # slug, name, SkillCategory value
    ("agile-delivery", "Agile delivery", "methodology"),
    ("scrum", "Scrum", "methodology"),
    ("kanban", "Kanban", "methodology"),
    ("lean", "Lean", "methodology"),
    ("prince2-method", "PRINCE2 method", "methodology"),
    ("process-mapping", "Process mapping", "methodology"),
    ("earned-value-management", "Earned value management", "governance"),
    ("risk-management", "Risk management", "governance"),
    ("portfolio-prioritization", "Portfolio prioritization", "governance"),
    ("benefits-management", "Benefits management", "governance"),
    ("business-case", "Business case", "governance"),
    ("governance-design", "Governance design", "governance"),
    ("power-bi-reporting", "Power BI and reporting", "analytics"),
    ("data-analysis", "Data analysis", "analytics"),
    ("itil-service-management", "ITIL service management", "technology"),
    ("project-tooling", "Project tooling (MS Project, Jira)", "technology"),
    ("public-procurement", "Public procurement", "domain"),
    ("public-budgeting", "Public sector budgeting", "domain"),
    ("stakeholder-engagement", "Stakeholder engagement", "interpersonal"),
    ("change-management", "Change management", "interpersonal"),
    ("facilitation", "Facilitation", "interpersonal"),
    ("coaching", "Coaching", "interpersonal"),
]

ROLES = [
    ("pmo-lead", "PMO lead", "Runs the PMO service for the client and owns its quality."),
    ("project-manager", "Project manager", "Plans and delivers a project end to end."),
    ("pmo-analyst", "PMO analyst", "Keeps plans, logs and reports accurate and on time."),
    ("agile-coach", "Agile coach", "Helps teams and managers adopt agile ways of working."),
    ("scrum-master", "Scrum master", "Serves a Scrum team and removes its impediments."),
    ("portfolio-manager", "Portfolio manager", "Steers the project portfolio with the board."),
    ("business-analyst", "Business analyst", "Turns needs into requirements and business cases."),
    ("change-manager", "Change manager", "Prepares people and organization for the change."),
    ("reporting-analyst", "Reporting analyst", "Builds dashboards and the data behind them."),
]

CERTIFICATIONS = [
    ("PMP", "Project Management Professional", "PMI"),
    ("PRINCE2-P", "PRINCE2 Practitioner", "PeopleCert"),
    ("PSM I", "Professional Scrum Master I", "Scrum.org"),
    ("SAFe SPC", "SAFe Practice Consultant", "Scaled Agile"),
    ("ITIL4-F", "ITIL 4 Foundation", "PeopleCert"),
    ("PMI-ACP", "PMI Agile Certified Practitioner", "PMI"),
    ("MSP", "Managing Successful Programmes", "PeopleCert"),
    ("CAPM", "Certified Associate in Project Management", "PMI"),
    ("P3O", "Portfolio, Programme and Project Offices", "PeopleCert"),
]

# The on-time reporting indicator several services share.
ON_TIME_REPORTS = (
    "On-time status reports", "Share of project status reports delivered by the deadline",
    "Reports delivered by the deadline / reports due x 100", "%", "higher", "95", "90", "75",
    "monthly",
)

SERVICES = [
    {
        "slug": "project-reporting-and-dashboards",
        "name": "Project reporting and dashboards",
        "typology": "supportive", "category": "reporting-and-analytics", "weeks": None,
        "pricing": ("monthly_retainer", "Reporting tool licences stay with the client."),
        "processes": ["reporting", "stakeholder-communication"],
        "summary": "One monthly portfolio report and live dashboards your board can trust, "
                   "built from the data your project managers already keep.",
        "description": "We agree a single status format with your project managers, collect "
                       "their updates each month, check them for consistency and publish a "
                       "portfolio report and a set of dashboards.\n\nThe service suits councils "
                       "and agencies whose projects report in many formats, or not at all, and "
                       "whose management wants one picture of schedule, budget and risk.",
        "tiers": [
            ("Up to 10 projects, monthly", "2900.00",
             ["Monthly portfolio status report", "Standard status template and guidance",
              "One dashboard page per project"],
             ["Report published by the 5th working day", "Questions answered within 2 days"]),
            ("Up to 30 projects, with dashboards", "5800.00",
             ["Everything in Essential", "Interactive Power BI portfolio dashboard",
              "Data quality checks with feedback to project managers",
              "Quarterly report to the management board"],
             ["Report published by the 5th working day", "Dashboard refreshed weekly",
              "Questions answered within 1 working day"]),
            ("Whole portfolio, weekly and board-ready", "9800.00",
             ["Everything in Standard", "Weekly flash report for the executive team",
              "Board pack with commentary and recommendations", "Custom indicators"],
             ["Flash report every Monday by 12:00", "Dashboard refreshed daily",
              "Named reporting analyst on call in office hours"]),
        ],
        "criteria": {
            "entry": ["A list of the projects in scope with their managers is provided.",
                      "Read access to the project data sources is granted."],
            "acceptance": ["The management board has approved the report format.",
                           "Every project in scope appears in the first monthly report."],
            "exit": ["Report templates and dashboard sources are handed over to the client."],
        },
        "indicators": [
            ON_TIME_REPORTS,
            ("Data quality score", "Share of status fields filled and consistent across sources",
             "Checks passed / checks run x 100", "%", "higher", "98", "95", "85", "monthly"),
        ],
        "roles": [
            ("reporting-analyst", "mid", 50, "Builds and refreshes the dashboards.",
             {"power-bi-reporting": 4, "data-analysis": 3}, []),
            ("pmo-analyst", "junior", 40, "Collects updates and checks their consistency.",
             {"project-tooling": 3, "data-analysis": 2}, ["CAPM"]),
            ("pmo-lead", "senior", 10, "Reviews the report and presents it to the board.",
             {"stakeholder-engagement": 4, "governance-design": 3}, ["PMP", "P3O"]),
        ],
    },
    {
        "slug": "methodology-and-templates",
        "name": "Methodology and templates",
        "typology": "supportive", "category": "methods-and-standards", "weeks": 8,
        "pricing": ("fixed_price", "Translation into co-official languages is quoted apart."),
        "processes": ["planning", "quality-assurance", "lessons-learned"],
        "summary": "A light project lifecycle with templates and guidance, tailored to your "
                   "procedures, so every project is run and documented the same way.",
        "description": "Starting from a proven PMBOK/PRINCE2-based lifecycle, we adapt phases, "
                       "roles and documents to your administrative procedures (budget "
                       "commitments, procurement, legal reports) and publish them on your "
                       "intranet.\n\nProject managers get templates that fit the size of the "
                       "project, and a short guide explaining when each is needed.",
        "tiers": [
            ("Core templates", "12000.00",
             ["Lifecycle with four phases and their gates", "Eight core templates",
              "One-page quick guide"],
             ["Draft lifecycle within 3 weeks", "Two review rounds"]),
            ("Tailored method", "22000.00",
             ["Everything in Essential", "Tailoring workshops with your project managers",
              "Fifteen templates scaled to project size", "Roles and responsibilities chart"],
             ["Draft lifecycle within 3 weeks", "Three review rounds",
              "Intranet publication support"]),
            ("Method with adoption", "36000.00",
             ["Everything in Standard", "Pilot on two live projects",
              "Training for up to 40 people", "Six months of method helpdesk"],
             ["Helpdesk answers within 2 working days", "Pilot review report within 2 weeks"]),
        ],
        "criteria": {
            "entry": ["Current procedures and any existing templates are shared.",
                      "A method owner is named on the client side."],
            "acceptance": ["The method owner signs off the lifecycle and templates.",
                           "Templates are published where project managers find them."],
            "exit": ["Editable sources of every template are handed over.",
                     "A maintenance plan for the method is agreed."],
        },
        "indicators": [
            ("Template adoption", "Share of active projects using the current templates",
             "Projects using current templates / active projects x 100", "%", "higher", "90",
             "80", "50", "quarterly"),
            ("Method satisfaction", "How useful project managers find the method (1-5 survey)",
             "Average survey score", "score", "higher", "4.2", "4.0", "3.0", "quarterly"),
        ],
        "roles": [
            ("pmo-lead", "principal", 30, "Designs the lifecycle and leads the workshops.",
             {"prince2-method": 4, "governance-design": 4, "facilitation": 4}, ["PRINCE2-P"]),
            ("pmo-analyst", "mid", 60, "Drafts templates and guides.",
             {"process-mapping": 3, "prince2-method": 3}, ["CAPM"]),
        ],
    },
    {
        "slug": "training-academy",
        "name": "Training academy",
        "typology": "supportive", "category": "capability-building", "weeks": 12,
        "pricing": ("per_deliverable", "Priced per course edition of up to 20 participants."),
        "processes": ["planning", "risk-management", "lessons-learned"],
        "summary": "Practical courses in project, risk and agile management for public "
                   "servants, with exercises drawn from your own projects.",
        "description": "A curriculum of short courses, from project management foundations to "
                       "risk management and agile delivery, taught by practitioners. Courses "
                       "can prepare for CAPM, PMP or PSM certification.\n\nEach edition ends "
                       "with an applied exercise on a real project of the organization.",
        "tiers": [
            ("One course edition", "4800.00",
             ["One two-day course", "Course material and exercises", "Attendance certificate"],
             ["Course delivered within 6 weeks of order", "Material shared a week before"]),
            ("Learning path", "8900.00",
             ["Three courses forming a path", "Pre- and post-course assessment",
              "Exam preparation guidance"],
             ["Dates agreed within 2 weeks", "Assessment results within 5 days"]),
            ("Academy", "15500.00",
             ["Five courses with an applied project", "Individual learning plans",
              "Mentoring sessions for the best participants"],
             ["Academy calendar within 2 weeks", "Mentor assigned within 10 days"]),
        ],
        "criteria": {
            "entry": ["The participant list and their roles are provided.",
                      "A training room or video platform is available."],
            "acceptance": ["At least 80% of participants attend every session.",
                           "Course evaluation is collected from every participant."],
            "exit": ["A training report with attendance and results is delivered."],
        },
        "indicators": [
            ("Participant satisfaction", "Average course rating by participants (1-5)",
             "Sum of ratings / number of ratings", "score", "higher", "4.5", "4.2", "3.5",
             "per_release"),
            ("Knowledge gain", "Improvement between pre- and post-course assessment",
             "Average post score - average pre score", "points", "higher", "25", "20", "10",
             "per_release"),
        ],
        "roles": [
            ("pmo-lead", "senior", 40, "Designs the curriculum and teaches core courses.",
             {"coaching": 4, "facilitation": 4, "risk-management": 3}, ["PMP"]),
            ("agile-coach", "senior", 30, "Teaches the agile delivery courses.",
             {"scrum": 4, "agile-delivery": 4, "coaching": 4}, ["PSM I", "PMI-ACP"]),
        ],
    },
    {
        "slug": "agile-transformation-coaching",
        "name": "Agile transformation coaching",
        "typology": "supportive", "category": "capability-building", "weeks": 26,
        "pricing": ("time_and_materials", "Travel outside the metropolitan area billed at cost."),
        "processes": ["planning", "change-control", "stakeholder-communication"],
        "summary": "Coaches who help teams and managers adopt Scrum and Kanban on digital "
                   "projects, within the rules of public budgeting and procurement.",
        "description": "Our coaches work alongside your teams for several months: they set up "
                       "the first iterations, coach product owners and managers, and adapt "
                       "agile practice to annual budgets, fixed-scope contracts and formal "
                       "approvals.\n\nThe aim is teams that keep the practice after we leave.",
        "tiers": [
            ("One team", "680.00",
             ["Coaching of one team (2 days a week)", "Team start-up workshop",
              "Monthly maturity check"],
             ["Coach on site within 2 weeks", "Maturity report every month"]),
            ("Several teams", "760.00",
             ["Coaching of up to four teams", "Product owner coaching",
              "Management workshops", "Agile contract clauses review"],
             ["Coaches on site within 2 weeks", "Fortnightly steering with management"]),
            ("Organization", "880.00",
             ["Transformation roadmap", "Scaled agile set-up for a programme",
              "Internal coach development", "Executive coaching"],
             ["Roadmap within 4 weeks", "Monthly steering with the executive sponsor"]),
        ],
        "criteria": {
            "entry": ["Pilot teams are named with a product owner each.",
                      "Management sponsors the change and attends the start-up workshop."],
            "acceptance": ["Pilot teams deliver working increments every iteration.",
                           "The maturity check shows progress for two months running."],
            "exit": ["Internal coaches or scrum masters take over each team.",
                     "A lessons-learned session is held with management."],
        },
        "indicators": [
            ("Iteration goal success", "Share of iterations whose goal was met",
             "Iterations meeting their goal / iterations completed x 100", "%", "higher", "85",
             "80", "60", "per_iteration"),
            ("Lead time", "Days from a work item being ready to being done",
             "Median of (done date - ready date) over the period", "days", "lower", "10", "14",
             "25", "monthly"),
        ],
        "roles": [
            ("agile-coach", "principal", 60, "Leads the transformation and coaches managers.",
             {"agile-delivery": 5, "coaching": 5, "change-management": 4}, ["SAFe SPC"]),
            ("scrum-master", "mid", 100, "Serves the pilot teams day to day.",
             {"scrum": 4, "kanban": 3, "facilitation": 3}, ["PSM I"]),
        ],
    },
    {
        "slug": "project-manager-on-demand",
        "name": "Project manager on demand",
        "typology": "supportive", "category": "delivery-support", "weeks": 24,
        "pricing": ("time_and_materials", "Day rate; minimum engagement of 20 days."),
        "processes": ["planning", "risk-management", "reporting"],
        "summary": "An experienced project manager who joins your team to run a project, "
                   "following your method and reporting to your sponsor.",
        "description": "When a project has no one to run it, or needs more experience than is "
                       "available, we provide a certified project manager who plans, "
                       "coordinates suppliers and departments, and reports through your "
                       "governance.\n\nAll project documents stay in your repositories.",
        "tiers": [
            ("Mid-level project manager", "620.00",
             ["Mid-level project manager", "Plan, risk log and status reports"],
             ["Start within 3 weeks", "Replacement within 10 days if needed"]),
            ("Senior project manager", "780.00",
             ["Senior project manager", "Supplier and contract coordination",
              "Monthly review with our PMO lead"],
             ["Start within 2 weeks", "Replacement within 5 days if needed"]),
            ("Programme manager", "940.00",
             ["Principal programme manager", "Programme governance and benefits plan",
              "Back-up project manager named from day one"],
             ["Start within 10 days", "Replacement with no gap in service"]),
        ],
        "criteria": {
            "entry": ["The project has an approved mandate or business case.",
                      "A sponsor with authority over scope and budget is named."],
            "acceptance": ["The project plan is approved by the sponsor.",
                           "Status reports arrive on the agreed cadence."],
            "exit": ["The project is closed or handed over with an up-to-date file."],
        },
        "indicators": [
            ("Schedule performance index", "Earned value against planned value",
             "Earned value / planned value", "ratio", "higher", "1.00", "0.95", "0.85",
             "monthly"),
            ("Milestones on time", "Share of milestones reached by their baseline date",
             "Milestones on time / milestones due x 100", "%", "higher", "90", "85", "70",
             "monthly"),
        ],
        "roles": [
            ("project-manager", "senior", 100, "Runs the project day to day.",
             {"risk-management": 4, "stakeholder-engagement": 4, "earned-value-management": 3},
             ["PMP", "PRINCE2-P"]),
            ("pmo-lead", "senior", 5, "Reviews the project monthly and backs the manager up.",
             {"governance-design": 4}, ["P3O"]),
        ],
    },
    {
        "slug": "project-assurance-and-health-checks",
        "name": "Project assurance and health checks",
        "typology": "controlling", "category": "governance-and-assurance", "weeks": 3,
        "pricing": ("per_deliverable", "Priced per health check of one project."),
        "processes": ["quality-assurance", "risk-management", "lessons-learned"],
        "summary": "Independent reviews of a project's health, with a clear rating and "
                   "recommendations the sponsor can act on.",
        "description": "An independent reviewer interviews the team and stakeholders, reads "
                       "the project file and rates the project on scope, schedule, cost, risk, "
                       "governance and benefits.\n\nThe report gives a red-amber-green rating "
                       "per dimension and prioritised recommendations.",
        "tiers": [
            ("Light review", "3900.00",
             ["Document review", "Four interviews", "Two-page rating report"],
             ["Report within 10 working days"]),
            ("Full health check", "7200.00",
             ["Document review", "Up to ten interviews", "Detailed report with recommendations",
              "Debrief with the sponsor"],
             ["Report within 15 working days", "Debrief within 5 days of the report"]),
            ("Assurance programme", "18500.00",
             ["Three health checks over a year", "Follow-up of recommendations",
              "Trend report for the board"],
             ["Each report within 15 working days", "Follow-up status every quarter"]),
        ],
        "criteria": {
            "entry": ["The sponsor commissions the review and names a contact.",
                      "The project file is made available to the reviewer."],
            "acceptance": ["The report rates every dimension with evidence.",
                           "The sponsor has received the debrief."],
            "exit": ["Recommendations have owners and due dates agreed with the sponsor."],
        },
        "indicators": [
            ("Recommendations implemented", "Share of accepted recommendations done by their date",
             "Recommendations done on time / recommendations due x 100", "%", "higher", "80",
             "75", "50", "quarterly"),
            ("Review turnaround", "Working days from kick-off to report",
             "Report date - kick-off date, in working days", "days", "lower", "12", "15", "20",
             "per_release"),
        ],
        "roles": [
            ("pmo-lead", "principal", 50, "Leads the review and signs the rating.",
             {"governance-design": 5, "risk-management": 4}, ["PMP", "P3O"]),
            ("pmo-analyst", "mid", 50, "Reviews documents and prepares the evidence.",
             {"data-analysis": 3, "prince2-method": 3}, []),
        ],
    },
    {
        "slug": "risk-and-issue-management-office",
        "name": "Risk and issue management office",
        "typology": "controlling", "category": "governance-and-assurance", "weeks": None,
        "pricing": ("monthly_retainer", "Risk tool set-up included in the first month."),
        "processes": ["risk-management", "change-control", "reporting"],
        "summary": "A central office that keeps every project's risks and issues current, "
                   "escalates what matters and reports portfolio exposure monthly.",
        "description": "We run a common risk and issue register for your portfolio, facilitate "
                       "risk reviews with project teams, chase overdue actions and escalate "
                       "critical items to the right governance body.\n\nManagement receives a "
                       "monthly view of portfolio risk exposure and the top ten risks.",
        "tiers": [
            ("Register and reporting", "3400.00",
             ["Central risk and issue register", "Monthly portfolio risk report"],
             ["Register updated weekly", "Report by the 7th working day"]),
            ("Active risk management", "6900.00",
             ["Everything in Essential", "Monthly risk review per project",
              "Action chasing and escalation", "Quantified exposure for top risks"],
             ["Critical risks escalated within 1 working day", "Reviews held every month"]),
            ("Portfolio risk office", "11900.00",
             ["Everything in Standard", "Quantitative schedule and cost risk analysis",
              "Risk appetite definition with the board", "Audit-ready risk file"],
             ["Critical risks escalated the same day", "Quarterly risk appetite review"]),
        ],
        "criteria": {
            "entry": ["Each project names a risk owner.",
                      "Escalation thresholds are agreed with management."],
            "acceptance": ["Every project in scope has a reviewed register.",
                           "The first monthly risk report is accepted by management."],
            "exit": ["The register and its history are handed over to the client."],
        },
        "indicators": [
            ("Overdue risk actions", "Share of risk actions past their due date",
             "Overdue actions / open actions x 100", "%", "lower", "5", "10", "20", "monthly"),
            ("Risk review coverage", "Share of projects whose risks were reviewed this month",
             "Projects reviewed / projects in scope x 100", "%", "higher", "100", "95", "80",
             "monthly"),
        ],
        "roles": [
            ("pmo-analyst", "mid", 60, "Keeps the register current and chases actions.",
             {"risk-management": 4, "data-analysis": 3}, ["CAPM"]),
            ("pmo-lead", "senior", 20, "Facilitates reviews and escalates critical items.",
             {"risk-management": 5, "facilitation": 4}, ["PMP"]),
        ],
    },
    {
        "slug": "benefits-realization-tracking",
        "name": "Benefits realization tracking",
        "typology": "controlling", "category": "portfolio-management", "weeks": None,
        "pricing": ("monthly_retainer", None),
        "processes": ["benefits-realization", "reporting", "portfolio-prioritization"],
        "summary": "Defines measurable benefits for each investment and tracks them after "
                   "go-live, so the board knows what the portfolio actually delivers.",
        "description": "For each project we turn the business case into measurable benefits "
                       "with owners, baselines and targets, then track them during and after "
                       "delivery.\n\nThe quarterly benefits report shows the value realised "
                       "against the value promised, and feeds the next prioritization round.",
        "tiers": [
            ("Benefit profiles", "2600.00",
             ["Benefit profiles for up to 10 projects", "Quarterly benefits report"],
             ["Profiles within 6 weeks", "Report within 10 working days of quarter end"]),
            ("Benefits tracking", "5200.00",
             ["Benefit profiles for up to 30 projects", "Baseline measurement",
              "Post-implementation reviews"],
             ["Reviews 6 months after go-live", "Report within 10 working days"]),
            ("Benefits management", "8700.00",
             ["Whole portfolio", "Benefits map linking projects to strategy",
              "Benefits dashboard", "Input to budget rounds"],
             ["Dashboard updated monthly", "Board briefing every quarter"]),
        ],
        "criteria": {
            "entry": ["Approved business cases are available for projects in scope.",
                      "Benefit owners are named in the business units."],
            "acceptance": ["Every benefit has a baseline, target, owner and measure.",
                           "The first quarterly report is accepted by the board."],
            "exit": ["Benefit profiles and measurements are handed over."],
        },
        "indicators": [
            ("Benefits realised", "Value realised against the value planned to date",
             "Realised benefit value / planned benefit value x 100", "%", "higher", "90", "85",
             "60", "quarterly"),
            ("Benefits with baselines", "Share of benefits with a measured baseline",
             "Benefits with baseline / benefits defined x 100", "%", "higher", "100", "90",
             "70", "quarterly"),
        ],
        "roles": [
            ("portfolio-manager", "senior", 30, "Owns the benefits framework with the board.",
             {"benefits-management": 5, "business-case": 4}, ["MSP"]),
            ("business-analyst", "mid", 50, "Builds benefit profiles and measures them.",
             {"business-case": 4, "data-analysis": 3}, []),
        ],
    },
    {
        "slug": "stage-gate-governance",
        "name": "Stage-gate governance",
        "typology": "controlling", "category": "governance-and-assurance", "weeks": None,
        "pricing": ("monthly_retainer", None),
        "processes": ["change-control", "quality-assurance", "portfolio-prioritization"],
        "summary": "Runs the gates where projects are approved to start, continue or close, "
                   "with a readiness check before each decision.",
        "description": "We prepare each gate: check the project's readiness against the gate "
                       "criteria, brief the decision body and record the decision and its "
                       "conditions.\n\nProjects that skip gates are flagged; conditions are "
                       "followed up until they are met.",
        "tiers": [
            ("Gate secretariat", "3100.00",
             ["Gate calendar", "Readiness checklist per gate", "Decision log"],
             ["Checklist sent 5 days before the gate", "Decisions logged within 2 days"]),
            ("Gate assurance", "6400.00",
             ["Everything in Essential", "Readiness review of each project",
              "Recommendation to the decision body", "Condition follow-up"],
             ["Review sent 3 days before the gate", "Conditions checked monthly"]),
            ("Investment committee support", "10800.00",
             ["Everything in Standard", "Committee secretariat",
              "Portfolio-level view at each meeting", "Annual gate process review"],
             ["Committee pack 5 days before the meeting", "Minutes within 2 days"]),
        ],
        "criteria": {
            "entry": ["The client's decision bodies and their mandates are defined.",
                      "Gate criteria are agreed or adopted from our method."],
            "acceptance": ["Every gate in the period has a recorded decision.",
                           "The decision body confirms the readiness reviews are useful."],
            "exit": ["Decision log and gate criteria are handed over."],
        },
        "indicators": [
            ("Gates held on schedule", "Share of planned gates held in their month",
             "Gates held on schedule / gates planned x 100", "%", "higher", "95", "90", "75",
             "quarterly"),
            ("Open gate conditions", "Gate conditions past their due date",
             "Count of conditions overdue at month end", "count", "lower", "0", "2", "5",
             "monthly"),
        ],
        "roles": [
            ("pmo-lead", "principal", 30, "Runs the gate process and briefs decision bodies.",
             {"governance-design": 5, "stakeholder-engagement": 4}, ["P3O", "MSP"]),
            ("pmo-analyst", "mid", 40, "Prepares checklists and follows up conditions.",
             {"prince2-method": 3, "data-analysis": 2}, []),
        ],
    },
    {
        "slug": "vendor-and-contract-delivery-control",
        "name": "Vendor and contract delivery control",
        "typology": "controlling", "category": "delivery-support", "weeks": None,
        "pricing": ("monthly_retainer", "Legal advice on contract disputes is not included."),
        "processes": ["procurement-and-contracts", "quality-assurance", "reporting"],
        "summary": "Keeps suppliers under public contracts to their commitments: milestones, "
                   "deliverables, service levels and invoices.",
        "description": "We check each supplier's deliverables and service levels against the "
                       "contract, validate milestone invoices and prepare the evidence the "
                       "contracting authority needs for penalties or acceptance.\n\nSuited to "
                       "large IT and infrastructure contracts awarded through public tenders.",
        "tiers": [
            ("One contract", "3600.00",
             ["Monthly contract performance report", "Invoice validation"],
             ["Invoices validated within 5 working days"]),
            ("Contract portfolio", "7400.00",
             ["Up to five contracts", "Service-level measurement",
              "Deliverable acceptance reviews", "Supplier performance meetings"],
             ["Invoices validated within 3 working days", "Acceptance review within 10 days"]),
            ("Strategic suppliers", "12600.00",
             ["Up to twelve contracts", "Penalty and dispute evidence files",
              "Input to new tender specifications"],
             ["Invoices validated within 3 working days", "Escalation within 1 working day"]),
        ],
        "criteria": {
            "entry": ["Signed contracts and their technical specifications are shared.",
                      "The contract manager on the client side is named."],
            "acceptance": ["Every contract in scope has a monthly performance report.",
                           "No invoice is paid without validation."],
            "exit": ["Evidence files and performance history are handed over."],
        },
        "indicators": [
            ("Deliverables accepted first time", "Share of deliverables accepted at first review",
             "Accepted at first review / deliverables reviewed x 100", "%", "higher", "85",
             "80", "60", "monthly"),
            ("Invoice validation time", "Working days from invoice receipt to validation",
             "Average of validation date - receipt date", "days", "lower", "3", "5", "10",
             "monthly"),
        ],
        "roles": [
            ("project-manager", "senior", 40, "Steers suppliers and prepares evidence.",
             {"public-procurement": 4, "stakeholder-engagement": 3}, ["PMP"]),
            ("pmo-analyst", "mid", 50, "Measures service levels and checks invoices.",
             {"data-analysis": 3, "itil-service-management": 3}, ["ITIL4-F"]),
        ],
    },
    {
        "slug": "pmo-set-up-and-governance-design",
        "name": "PMO set-up and governance design",
        "typology": "directive", "category": "governance-and-assurance", "weeks": 12,
        "pricing": ("fixed_price", "Recruitment of permanent PMO staff is not included."),
        "processes": ["portfolio-prioritization", "change-control", "reporting"],
        "summary": "Designs and launches your PMO: its mandate, governance bodies, decision "
                   "rights and the first portfolio cycle.",
        "description": "Together with your management we define what the PMO is for, which "
                       "decisions it prepares or takes, how projects are approved and "
                       "reported, and which people and tools it needs.\n\nThe engagement ends "
                       "with the PMO running its first portfolio cycle with your staff.",
        "tiers": [
            ("Design", "18000.00",
             ["PMO maturity assessment", "PMO charter and mandate",
              "Governance model with decision rights"],
             ["Assessment within 4 weeks", "Charter draft within 8 weeks"]),
            ("Design and launch", "34000.00",
             ["Everything in Essential", "Portfolio inventory",
              "First governance meetings facilitated", "PMO staffing plan"],
             ["Inventory within 6 weeks", "First board meeting within 10 weeks"]),
            ("Launch and run-in", "58000.00",
             ["Everything in Standard", "Interim PMO lead for three months",
              "Tool selection support", "Run-in review at the end"],
             ["Interim lead on site within 2 weeks", "Run-in review within 2 weeks of end"]),
        ],
        "criteria": {
            "entry": ["An executive sponsor for the PMO is named.",
                      "Management agrees to take part in the governance workshops."],
            "acceptance": ["The PMO charter is approved by the management board.",
                           "The first portfolio review has taken place."],
            "exit": ["PMO staff are in place and trained on their processes.",
                     "A maturity re-assessment plan is agreed."],
        },
        "indicators": [
            ("Projects in the portfolio register", "Share of known projects registered",
             "Registered projects / projects identified x 100", "%", "higher", "100", "95",
             "80", "monthly"),
            ("PMO maturity level", "P3M3-style maturity score of the portfolio function",
             "Assessed maturity level (1-5)", "level", "higher", "3", "3", "2", "annually"),
        ],
        "roles": [
            ("pmo-lead", "principal", 60, "Designs the governance and leads the launch.",
             {"governance-design": 5, "stakeholder-engagement": 5, "change-management": 4},
             ["P3O", "PMP"]),
            ("portfolio-manager", "senior", 30, "Builds the inventory and the first cycle.",
             {"portfolio-prioritization": 4, "public-budgeting": 3}, ["MSP"]),
            ("change-manager", "senior", 20, "Prepares managers and teams for the new PMO.",
             {"change-management": 4, "facilitation": 4}, []),
        ],
    },
    {
        "slug": "portfolio-prioritization",
        "name": "Portfolio prioritization",
        "typology": "directive", "category": "portfolio-management", "weeks": 8,
        "pricing": ("fixed_price", None),
        "processes": ["portfolio-prioritization", "demand-management", "resource-management"],
        "summary": "A transparent scoring model and facilitated decision process to choose "
                   "which projects go ahead within budget and capacity.",
        "description": "We build a scoring model with your strategic objectives, legal "
                       "obligations, risk and value criteria, score candidate projects with "
                       "their sponsors and facilitate the decision of the management board.\n\n"
                       "The result is a ranked, funded portfolio that fits your budget year "
                       "and the capacity of your teams.",
        "tiers": [
            ("Scoring model", "14000.00",
             ["Scoring model workshop", "Scoring of up to 25 projects", "Ranked list"],
             ["Model within 3 weeks", "Ranked list within 6 weeks"]),
            ("Prioritization round", "26000.00",
             ["Everything in Essential", "Capacity and budget scenarios",
              "Facilitated board decision", "Communication to sponsors"],
             ["Scenarios within 6 weeks", "Board session within 8 weeks"]),
            ("Annual cycle", "42000.00",
             ["Everything in Standard", "Mid-year re-prioritization",
              "Alignment with the budget calendar", "Tool configuration"],
             ["Mid-year review within 4 weeks of request", "Tool ready before the round"]),
        ],
        "criteria": {
            "entry": ["Strategic objectives for the period are approved.",
                      "Candidate projects have at least an outline business case."],
            "acceptance": ["The board has approved the ranked portfolio.",
                           "Every candidate has a recorded score and decision."],
            "exit": ["The scoring model and results are handed over."],
        },
        "indicators": [
            ("Budget committed to top-ranked projects", "Share of budget on the top quartile",
             "Budget of top-quartile projects / total budget x 100", "%", "higher", "60",
             "55", "40", "annually"),
            ("Unplanned projects started", "Projects started outside the prioritization",
             "Count of projects started without a ranking", "count", "lower", "0", "1", "3",
             "quarterly"),
        ],
        "roles": [
            ("portfolio-manager", "principal", 50, "Designs the model and runs the round.",
             {"portfolio-prioritization": 5, "business-case": 4, "facilitation": 4}, ["MSP"]),
            ("business-analyst", "mid", 50, "Scores projects and builds scenarios.",
             {"data-analysis": 4, "business-case": 3}, []),
        ],
    },
    {
        "slug": "demand-intake-and-triage",
        "name": "Demand intake and triage",
        "typology": "directive", "category": "portfolio-management", "weeks": None,
        "pricing": ("monthly_retainer", None),
        "processes": ["demand-management", "portfolio-prioritization", "planning"],
        "summary": "A single front door for project ideas: every request is captured, "
                   "qualified and routed to a decision within a known time.",
        "description": "We set up and run the intake of new project requests from departments: "
                       "a short request form, a qualification interview, an outline business "
                       "case for the promising ones and a monthly triage meeting.\n\n"
                       "Departments know where their idea stands; management sees the demand "
                       "pipeline before it becomes a project.",
        "tiers": [
            ("Intake desk", "2800.00",
             ["Request form and register", "Qualification of each request",
              "Monthly pipeline report"],
             ["Acknowledgement within 2 working days", "Qualification within 10 days"]),
            ("Intake and triage", "5600.00",
             ["Everything in Essential", "Outline business cases",
              "Monthly triage meeting facilitated", "Feedback to requesters"],
             ["Outline business case within 15 days", "Decisions communicated within 3 days"]),
            ("Demand management", "9200.00",
             ["Everything in Standard", "Demand forecasting for the budget year",
              "Link to the prioritization round", "Departmental demand reviews"],
             ["Forecast before the budget round", "Quarterly review with each department"]),
        ],
        "criteria": {
            "entry": ["A triage body with authority to decide is named.",
                      "Departments are told the new intake route."],
            "acceptance": ["Every request in the period is registered and qualified.",
                           "The triage meeting has decided on every qualified request."],
            "exit": ["The demand register is handed over with its history."],
        },
        "indicators": [
            ("Time to triage decision", "Working days from request to triage decision",
             "Median of decision date - request date", "days", "lower", "20", "25", "40",
             "monthly"),
            ("Requests through the front door", "Share of new projects that came via intake",
             "Projects via intake / projects started x 100", "%", "higher", "95", "90", "70",
             "quarterly"),
        ],
        "roles": [
            ("business-analyst", "mid", 60, "Qualifies requests and drafts business cases.",
             {"business-case": 4, "process-mapping": 3}, []),
            ("portfolio-manager", "senior", 20, "Chairs triage and keeps the pipeline.",
             {"portfolio-prioritization": 4, "stakeholder-engagement": 4}, ["MSP"]),
        ],
    },
    {
        "slug": "resource-capacity-planning",
        "name": "Resource capacity planning",
        "typology": "directive", "category": "portfolio-management", "weeks": None,
        "pricing": ("monthly_retainer", "Resource planning tool licences not included."),
        "processes": ["resource-management", "planning", "portfolio-prioritization"],
        "summary": "Plans who works on what across the portfolio, spots overloads early and "
                   "decides allocations with managers.",
        "description": "We keep a portfolio-wide view of demand and capacity by skill, agree "
                       "allocations with line managers and project managers each month and "
                       "flag overloads and gaps before they delay projects.\n\nThe plan feeds "
                       "prioritization and the recruitment or contracting of external help.",
        "tiers": [
            ("Capacity view", "3000.00",
             ["Skills and capacity inventory", "Quarterly capacity report"],
             ["Inventory within 6 weeks", "Report within 10 days of quarter end"]),
            ("Monthly allocation", "6100.00",
             ["Everything in Essential", "Monthly allocation meeting",
              "Overload alerts", "What-if scenarios for new projects"],
             ["Allocation agreed by the 5th working day", "Alerts within 2 working days"]),
            ("Integrated planning", "9900.00",
             ["Everything in Standard", "Link to the prioritization round",
              "Sourcing plan for gaps", "Tool configuration and training"],
             ["Sourcing plan within 4 weeks", "Quarterly review with HR"]),
        ],
        "criteria": {
            "entry": ["Line managers provide team capacity and skills.",
                      "Projects in scope have resource estimates."],
            "acceptance": ["Every project in scope has an agreed allocation.",
                           "Overloads are reported with a proposal."],
            "exit": ["The capacity model and inventory are handed over."],
        },
        "indicators": [
            ("Over-allocated people", "Share of people allocated above 100%",
             "People allocated above 100% / people planned x 100", "%", "lower", "2", "5",
             "10", "monthly"),
            ("Forecast accuracy", "How close planned effort was to actual effort",
             "100 - |actual - planned| / planned x 100", "%", "higher", "90", "85", "70",
             "monthly"),
        ],
        "roles": [
            ("portfolio-manager", "senior", 40, "Runs the allocation meetings.",
             {"portfolio-prioritization": 4, "stakeholder-engagement": 4}, ["MSP"]),
            ("pmo-analyst", "mid", 60, "Maintains the capacity model.",
             {"data-analysis": 4, "project-tooling": 4}, []),
        ],
    },
    {
        "slug": "programme-recovery",
        "name": "Programme recovery",
        "status": "draft",
        "typology": "directive", "category": "delivery-support", "weeks": 16,
        "pricing": ("time_and_materials", "Being priced; not yet offered."),
        "processes": ["risk-management", "change-control", "planning"],
        "summary": "Takes charge of a programme in trouble: diagnosis, a recovery plan the "
                   "board can approve, and its execution.",
        "description": "A senior team steps in to stabilise a failing programme: it diagnoses "
                       "root causes, renegotiates scope and plan, and leads execution until "
                       "the programme is back within tolerance.",
        "tiers": [
            ("Diagnosis", "950.00", ["Two-week diagnosis", "Recovery options"],
             ["Diagnosis within 2 weeks"]),
            ("Recovery plan", "950.00", ["Diagnosis", "Approved recovery plan"],
             ["Plan within 5 weeks"]),
            ("Recovery", "950.00", ["Diagnosis", "Plan", "Execution lead"],
             ["Weekly board report"]),
        ],
        "criteria": {
            "entry": ["The board mandates the recovery team."],
            "acceptance": ["The recovery plan is approved."],
            "exit": ["The programme is back within tolerance for two months."],
        },
        "indicators": [],
        "roles": [
            ("project-manager", "principal", 100, "Leads the recovery.",
             {"risk-management": 5, "stakeholder-engagement": 5}, ["MSP", "PMP"]),
        ],
    },
    {
        "slug": "earned-value-reporting",
        "name": "Earned value reporting",
        "status": "retired",
        "typology": "controlling", "category": "reporting-and-analytics", "weeks": None,
        "pricing": ("monthly_retainer", "Replaced by Project reporting and dashboards."),
        "processes": ["reporting", "planning"],
        "summary": "Monthly earned value analysis of large projects (replaced by Project "
                   "reporting and dashboards).",
        "description": "Earned value analysis of schedule and cost performance for projects "
                       "above a budget threshold. Now part of the dashboards service.",
        "tiers": [
            ("One project", "1900.00", ["Monthly EVM report"], ["Report by the 7th day"]),
            ("Up to five projects", "4200.00", ["Monthly EVM reports", "Forecasts"],
             ["Report by the 7th day"]),
            ("Portfolio", "7800.00", ["Portfolio EVM", "Forecasts", "Board briefing"],
             ["Report by the 5th day"]),
        ],
        "criteria": {
            "entry": ["Projects have a cost-loaded baseline."],
            "acceptance": ["Monthly reports are accepted by the sponsor."],
            "exit": ["Baselines and history are handed over."],
        },
        "indicators": [
            ("Cost performance index", "Earned value against actual cost",
             "Earned value / actual cost", "ratio", "higher", "1.00", "0.95", "0.85",
             "monthly"),
        ],
        "roles": [
            ("pmo-analyst", "mid", 50, "Computes the earned value figures.",
             {"earned-value-management": 4, "data-analysis": 3}, []),
        ],
    },
]

# Requests from the demo clients, by the login seed_demo creates for them. The workflow moves
# them through the services with the PMO staff login as the actor: (status, decision reason).
REQUESTS = [
    ("riverton.sponsor", "project-reporting-and-dashboards", "standard", 21,
     "Our 18 municipal projects report in different spreadsheets and the mayor's office has "
     "no overall view before the budget debate.",
     "A monthly portfolio report and a dashboard the council's steering committee uses.",
     ("accepted", "Fits the standard tier; start agreed for the first working day of the month.")),
    ("riverton.sponsor", "risk-and-issue-management-office", "essential", 45,
     "Two urban regeneration projects slipped last year because risks were not escalated.",
     "A shared risk register and early escalation of critical risks to the steering committee.",
     ("in_review", "")),
    ("riverton.sponsor", "agile-transformation-coaching", "essential", 60,
     "The new citizen services app is built by an agile supplier; our team is not used to it.",
     "Our product owner and team work confidently in sprints with the supplier.",
     ("submitted", "")),
    ("eastmoor.member", "pmo-set-up-and-governance-design", "premium", 30,
     "The health service wants a PMO for its hospital digitalisation programme.",
     "A running PMO with approved charter and governance by the end of the year.",
     ("declined", "The programme's funding decision is pending; we suggest requesting again "
                  "once the budget is approved, starting with the Design tier.")),
    ("eastmoor.member", "benefits-realization-tracking", "standard", 40,
     "The regional parliament asks what the electronic health record investment delivered.",
     "Measured benefits with baselines for the five largest health IT projects.",
     ("submitted", "")),
]
