"""Content of the improvement demo (``improvement.demo``): per demo client, a process map
with a clear bottleneck and its redesign, and improvement actions in every status. (The
demand queue the flow detects is the portfolio demo's history.)

Conventions:
- ``steps``: tuples (name, performer, process hours, wait hours before the step,
  % complete and accurate, capacity per week, demand per week, people, hand-offs,
  value-adding). ``redesign`` is the version 2 that replaces version 1: shorter waits and
  the constraint's capacity raised.
- ``actions``: ``path`` is the moves after the proposal as (status, days ago, note);
  ``verified`` moves carry the measured hours saved per month. ``created`` is how many days
  ago it was proposed; ``target`` is days from creation (over 90 warns). ``from="process"``
  marks the action that bottleneck detection suggested for version 1's constraint (the
  ``bottleneck`` step) and a person then planned and carried through.
"""

from decimal import Decimal

from portfolio.choices import DemandStatus

from .choices import ActionSource, ActionStatus, PdcaPhase

D = Decimal

APPROVED, IN_PROGRESS, DONE = ActionStatus.APPROVED, ActionStatus.IN_PROGRESS, ActionStatus.DONE
VERIFIED, DISCARDED = ActionStatus.VERIFIED, ActionStatus.DISCARDED

# The demand status the added history makes the flow's bottleneck, over the last 90 days.
FLOW_BOTTLENECK = DemandStatus.ASSESSED
FLOW_PERIOD_DAYS = 90


def _step(name, performer, process, wait, accurate, capacity, demand, people, handoffs,
          value_added=True):
    return {
        "name": name, "performer": performer, "process_time_hours": D(process),
        "wait_time_hours": D(wait), "percent_complete_accurate": D(accurate),
        "capacity_per_week": D(capacity), "demand_per_week": D(demand), "people": people,
        "handoffs": handoffs, "value_added": value_added,
    }


RIVERTON = {
    "map": {
        "name": "Citizen request to service change",
        "bottleneck": "Approval by the department head",
        "description": "From a citizen's request at the one-stop office to the municipal "
                       "service changed and the citizen told. Times in hours.",
        "owner": "elena.prieto@riverton.example",
        "engagement": "Tax office process redesign",
        "service": "pmo-set-up-and-governance-design",
        # The department head signs every change: 35 requests a week for 25 signatures.
        "steps": [
            _step("Register the request", "One-stop office", "0.5", "4", "90", "120", "35", 3, 1),
            _step("Technical assessment", "Technical services", "3", "24", "85", "60", "35", 4,
                  1),
            _step("Approval by the department head", "Department head", "1", "96", "95", "25",
                  "35", 1, 1, value_added=False),
            _step("Implement the change", "Service unit", "6", "16", "90", "45", "35", 5, 1),
            _step("Notify the citizen", "One-stop office", "0.5", "8", "98", "100", "35", 3, 0),
        ],
        # Approval delegated to section heads under a threshold: capacity 50, waits cut.
        "redesign": [
            _step("Register the request", "One-stop office", "0.5", "2", "95", "120", "35", 3, 1),
            _step("Technical assessment", "Technical services", "3", "8", "90", "60", "35", 4,
                  1),
            _step("Approval (delegated under a threshold)", "Section heads", "0.5", "8", "97",
                  "50", "35", 3, 1, value_added=False),
            _step("Implement the change", "Service unit", "6", "8", "92", "45", "35", 5, 1),
            _step("Notify the citizen", "One-stop office", "0.5", "2", "99", "100", "35", 3, 0),
        ],
    },
}

EASTMOOR = {
    "map": {
        "name": "Outpatient referral to first appointment",
        "bottleneck": "Clinical triage",
        "description": "From a primary-care referral to the patient's first specialist "
                       "appointment. Times in hours.",
        "owner": "lucia.ferrer@eastmoor-health.example",
        "engagement": "Primary care scheduling rollout",
        "service": "demand-intake-and-triage",
        # Every referral waits for one specialist's triage: 52 a week for 40 triage slots.
        "steps": [
            _step("Receive the referral", "Admissions", "0.25", "8", "88", "150", "52", 4, 1),
            _step("Clinical triage", "Specialist on duty", "0.5", "120", "92", "40", "52", 1, 1),
            _step("Book the appointment", "Booking centre", "0.25", "24", "95", "90", "52", 3, 1,
                  value_added=False),
            _step("Pre-visit tests", "Laboratory", "1", "72", "90", "70", "52", 6, 1),
            _step("First consultation", "Specialist clinic", "0.75", "48", "97", "60", "52", 4,
                  0),
        ],
        # Triage protocol lets nurses triage routine referrals; tests ordered at booking.
        "redesign": [
            _step("Receive the referral", "Admissions", "0.25", "4", "92", "150", "52", 4, 1),
            _step("Protocol triage", "Triage nurses and specialist", "0.5", "16", "95", "80",
                  "52", 3, 1),
            _step("Book the appointment", "Booking centre", "0.25", "8", "97", "90", "52", 3, 1,
                  value_added=False),
            _step("Pre-visit tests", "Laboratory", "1", "48", "92", "70", "52", 6, 1),
            _step("First consultation", "Specialist clinic", "0.75", "24", "97", "60", "52", 4,
                  0),
        ],
    },
}

AGENCY = {
    "map": {
        "name": "Digital identity certificate issuance",
        "bottleneck": "Identity verification in person",
        "description": "From a citizen's online application to an active digital identity "
                       "certificate. Times in hours.",
        "owner": "diego.rivas@digital-agency.example",
        "engagement": "EU digital identity wallet pilot PMO",
        "service": "project-assurance-and-health-checks",
        # In-person identity checks at registration offices: 300 a week for 200 slots.
        "steps": [
            _step("Online application", "Citizen portal", "0.25", "0", "80", "2000", "300", 0,
                  1),
            _step("Identity verification in person", "Registration offices", "0.5", "168",
                  "93", "200", "300", 12, 1),
            _step("Generate the certificate", "Certification authority", "0.1", "4", "99",
                  "1000", "300", 2, 1),
            _step("Deliver and activate", "Help desk", "0.25", "24", "85", "400", "300", 5, 0,
                  value_added=False),
        ],
        # Video identification added to in-person checks; activation guided online.
        "redesign": [
            _step("Online application", "Citizen portal", "0.25", "0", "88", "2000", "300", 0,
                  1),
            _step("Identity verification (video or in person)", "Registration offices",
                  "0.5", "24", "95", "420", "300", 14, 1),
            _step("Generate the certificate", "Certification authority", "0.1", "2", "99",
                  "1000", "300", 2, 1),
            _step("Deliver and activate", "Guided online activation", "0.25", "4", "94", "400",
                  "300", 3, 0, value_added=False),
        ],
    },
}

def _action(title, problem, proposal, scores, phase, created, target, hours, path,
            source=ActionSource.OTHER, origin=None):
    value, criticality, risk, size = scores
    return {
        "title": title, "problem": problem, "proposal": proposal, "source": source,
        "from": origin, "business_value": value, "time_criticality": criticality,
        "risk_reduction": risk, "job_size": size, "pdca_phase": phase, "created": created,
        "target": target, "expected_hours": None if hours is None else D(hours),
        "path": path,
    }


RIVERTON["actions"] = [
    _action("Delegate approval of routine changes to section heads",
            "The department head signs every change; requests wait four days for a signature.",
            "Section heads approve changes under a cost threshold; the head sees a weekly list.",
            (13, 8, 5, 3), PdcaPhase.ACT, 170, 45, "60",
            [(APPROVED, 165, "Agreed with the head of department."),
             (IN_PROGRESS, 158, ""), (DONE, 140, "Delegation decree signed."),
             (VERIFIED, 118, "Four weeks measured after the change.", "72")],
            origin="process"),
    _action("Weekly clinic for pending technical assessments",
            "Assessments wait a day for a technician to pick them up.",
            "A fixed weekly slot where technicians and the one-stop office clear the queue.",
            (8, 5, 3, 2), PdcaPhase.ACT, 120, 30, "24",
            [(APPROVED, 116, ""), (IN_PROGRESS, 110, ""), (DONE, 95, ""),
             (VERIFIED, 80, "Measured over one month.", "20")],
            source=ActionSource.RETROSPECTIVE),
    _action("Standard answers for the most frequent requests",
            "The one-stop office drafts the same notifications again and again.",
            "Twenty templates for the most frequent answers, reviewed by Legal.",
            (5, 3, 2, 2), PdcaPhase.ACT, 75, 30, "16",
            [(APPROVED, 72, ""), (IN_PROGRESS, 68, ""), (DONE, 50, ""),
             (VERIFIED, 35, "Counted from the register of notifications.", "14")],
            source=ActionSource.STAKEHOLDER_FEEDBACK),
    _action("Schedule approval committees every two weeks",
            "Approved-by-committee demand waits weeks between sessions.",
            "Fortnightly committee with a written procedure for urgent items.",
            (8, 13, 3, 2), PdcaPhase.DO, 28, 40, "30",
            [(APPROVED, 25, ""), (IN_PROGRESS, 20, "First fortnightly session booked.")]),
    _action("Check requests are complete at registration",
            "A request in six comes back from the assessment because a document is missing.",
            "A checklist per request type at the counter and on the online form.",
            (5, 5, 5, 3), PdcaPhase.CHECK, 40, 30, "12",
            [(APPROVED, 37, ""), (IN_PROGRESS, 33, ""), (DONE, 8, "Checklists in use.")],
            source=ActionSource.KPI_RED),
    _action("Replace the request register with the new CRM",
            "The register and the CRM are updated twice.",
            "Migrate the register into the CRM and retire it.",
            (8, 3, 5, 13), PdcaPhase.PLAN, 20, 150, "40",
            [(APPROVED, 12, "Approved as a longer project: split into steps.")]),
    _action("Print the requests for the department head",
            "The head prefers paper.",
            "Print a daily batch.",
            (1, 1, 1, 3), PdcaPhase.PLAN, 60, 20, None,
            [(DISCARDED, 55, "Moves away from the digital procedure; delegation solves it.")]),
]

EASTMOOR["actions"] = [
    _action("Nurse triage of routine referrals with a protocol",
            "Every referral waits five days for the specialist on duty to triage it.",
            "A triage protocol agreed with the specialists; nurses triage routine referrals.",
            (13, 13, 8, 5), PdcaPhase.ACT, 160, 60, "80",
            [(APPROVED, 155, ""), (IN_PROGRESS, 150, ""), (DONE, 120, "Protocol in force."),
             (VERIFIED, 100, "Triage waits measured for four weeks.", "64")],
            origin="process"),
    _action("Order pre-visit tests at booking",
            "Tests are ordered only after the appointment is booked, adding three days.",
            "The booking centre orders the protocol's tests with the appointment.",
            (8, 8, 5, 3), PdcaPhase.ACT, 110, 30, "30",
            [(APPROVED, 106, ""), (IN_PROGRESS, 100, ""), (DONE, 78, ""),
             (VERIFIED, 55, "Laboratory counts for one month.", "26")],
            source=ActionSource.RETROSPECTIVE),
    _action("Reminder messages for first appointments",
            "One patient in eight misses a first appointment.",
            "SMS reminders two days before, with a link to reschedule.",
            (8, 5, 3, 2), PdcaPhase.ACT, 70, 30, "20",
            [(APPROVED, 67, ""), (IN_PROGRESS, 60, ""), (DONE, 40, ""),
             (VERIFIED, 20, "No-shows counted for a month.", "18")],
            source=ActionSource.KPI_RED),
    _action("Shared calendar for the specialist clinics",
            "Each clinic keeps its own calendar; booking calls them one by one.",
            "One shared calendar in the scheduling system.",
            (5, 3, 3, 5), PdcaPhase.DO, 25, 45, "25",
            [(APPROVED, 21, ""), (IN_PROGRESS, 14, "")],
            source=ActionSource.STAKEHOLDER_FEEDBACK),
    _action("Electronic referral form with mandatory fields",
            "Referrals arrive without the reason or the tests already done.",
            "Mandatory fields in the primary care referral form.",
            (5, 5, 5, 3), PdcaPhase.CHECK, 35, 30, "15",
            [(APPROVED, 32, ""), (IN_PROGRESS, 28, ""), (DONE, 6, "")]),
    _action("Hire a second triage specialist",
            "Triage is the constraint.",
            "A second specialist on duty for triage.",
            (8, 8, 3, 20), PdcaPhase.PLAN, 90, 180, "40",
            [(DISCARDED, 84, "Protocol triage by nurses relieves the constraint at no cost.")]),
    _action("Weekly review of referrals older than 30 days",
            "Some referrals are forgotten between services.",
            "A weekly list reviewed by the booking centre lead.",
            (3, 5, 5, 1), PdcaPhase.PLAN, 6, 20, "6",
            [(APPROVED, 2, "")], source=ActionSource.RETROSPECTIVE),
]

AGENCY["actions"] = [
    _action("Video identification for certificate applicants",
            "Citizens wait a week for an in-person identity check at a registration office.",
            "Video identification as an alternative channel, under the eIDAS rules.",
            (13, 8, 8, 8), PdcaPhase.ACT, 150, 75, "120",
            [(APPROVED, 145, ""), (IN_PROGRESS, 138, ""), (DONE, 100, "Live in production."),
             (VERIFIED, 85, "Office appointments counted for a month.", "96")],
            origin="process"),
    _action("Guided online activation of certificates",
            "One activation in six ends with a help desk call.",
            "A guided activation page with the most common errors explained.",
            (8, 5, 3, 3), PdcaPhase.ACT, 100, 30, "40",
            [(APPROVED, 96, ""), (IN_PROGRESS, 90, ""), (DONE, 70, ""),
             (VERIFIED, 48, "Help desk tickets compared month on month.", "35")],
            source=ActionSource.STAKEHOLDER_FEEDBACK),
    _action("Publish registration office waiting times",
            "Citizens go to the busiest offices.",
            "Show each office's next free slot on the appointment page.",
            (5, 3, 2, 2), PdcaPhase.ACT, 60, 30, "12",
            [(APPROVED, 57, ""), (IN_PROGRESS, 52, ""), (DONE, 30, ""),
             (VERIFIED, 12, "Appointment spread measured for two weeks.", "10")],
            source=ActionSource.RETROSPECTIVE),
    _action("Automate the certificate revocation requests",
            "Revocations are typed in by hand from e-mails.",
            "A revocation form connected to the certification authority.",
            (5, 5, 8, 5), PdcaPhase.DO, 30, 45, "20",
            [(APPROVED, 26, ""), (IN_PROGRESS, 18, "")]),
    _action("Monthly report of identity checks per office",
            "Nobody sees which offices are saturated.",
            "A monthly report from the appointment system.",
            (3, 3, 3, 2), PdcaPhase.CHECK, 45, 30, "8",
            [(APPROVED, 42, ""), (IN_PROGRESS, 38, ""), (DONE, 10, "")],
            source=ActionSource.KPI_RED),
    _action("Open registration offices on Saturdays",
            "Working citizens cannot come during office hours.",
            "Saturday mornings in the three largest offices.",
            (5, 3, 2, 13), PdcaPhase.PLAN, 80, 120, "30",
            [(DISCARDED, 75, "Video identification covers these citizens.")]),
    _action("Plain-language letters for rejected applications",
            "Rejected applicants call the help desk to understand why.",
            "Rewrite the five rejection letters in plain language.",
            (3, 2, 2, 1), PdcaPhase.PLAN, 4, 20, "5", [(APPROVED, 1, "")],
            source=ActionSource.STAKEHOLDER_FEEDBACK),
]

CLIENTS = {
    "City Council of Riverton": RIVERTON,
    "Eastmoor Regional Health Service": EASTMOOR,
    "National Agency for Digital Government": AGENCY,
}
