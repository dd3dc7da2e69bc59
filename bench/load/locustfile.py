"""The mixed scenario of the load test: what clients and PMO staff do at once.

Each task is exactly one request, so that ``users x constant_throughput`` is the request rate
the orchestrator asks for. Weights (share of requests):

* browse the catalog, anonymous (25): the catalog page (10, a random page of the 12-card
  grid) and a published service's page (15);
* API reads with a client user's token (40): services (10), applications (10), the
  organization's engagements (10) and one engagement's metrics (10);
* API reads with a staff token (10): every organization's engagements (5) and an
  engagement's metrics (5);
* bulk time entries (10): staff push 20 rows with fresh external ids for one engagement's
  team (two rows per consultant, a quarter to one hour on a past day of the assignment), so
  every push creates 20 entries and the worker recomputes that engagement's metrics;
* matching (15): staff rank the 2,000 consultants for an open staffing need.

Every response is checked: a status other than the one expected (200, or 201 for the push)
is a failure named by its status and the start of the body; a push that did not create its
20 entries is a failure too.

The data comes from the fixture the orchestrator writes (``LOAD_FIXTURE``); the pacing from
``LOAD_MODE`` (``saturate``: no wait, closed loop; ``paced``: ``LOAD_RATE_PER_USER`` tasks
per second per user).
"""

from __future__ import annotations

import json
import os
import random
import uuid
from datetime import date, timedelta

from locust import FastHttpUser, constant, constant_throughput, task

FIXTURE = json.loads(open(os.environ["LOAD_FIXTURE"]).read())  # noqa: SIM115 - read once
TODAY = date.fromisoformat(FIXTURE["today"])
BULK_ROWS = 20
PAGES = max(1, len(FIXTURE["services"]) // 12)
JSON = {"Accept": "application/json"}


def _pacing():
    mode = os.environ.get("LOAD_MODE", "saturate")
    if mode == "saturate":
        return constant(0)
    if mode == "paced":
        return constant_throughput(float(os.environ["LOAD_RATE_PER_USER"]))
    raise ValueError(f"LOAD_MODE is 'saturate' or 'paced', not {mode!r}")


class PmoUser(FastHttpUser):
    """One simulated person or integration; each task picks whose credentials it uses."""

    wait_time = _pacing()

    def _check(self, response, expected: int = 200) -> bool:
        if response.status_code != expected:
            # Status 0: no HTTP answer at all (connection refused, reset or timed out).
            reason = (response.text or "") if response.status_code else repr(response.error)
            reason = reason[:160].replace("\n", " ")
            response.failure(f"HTTP {response.status_code} (expected {expected}): {reason}")
            return False
        response.success()
        return True

    def _get(self, url: str, name: str, token: str | None = None) -> None:
        headers = dict(JSON)
        if token:
            headers["Authorization"] = f"Token {token}"
        with self.client.get(url, name=name, headers=headers, catch_response=True) as response:
            self._check(response)

    # --- Browse the catalog (anonymous) ---

    @task(10)
    def catalog_page(self) -> None:
        page = random.randint(1, PAGES)
        with self.client.get(f"/catalog/?page={page}", name="/catalog/",
                             catch_response=True) as response:
            self._check(response)

    @task(15)
    def service_page(self) -> None:
        slug = random.choice(FIXTURE["services"])
        with self.client.get(f"/catalog/{slug}/", name="/catalog/[slug]/",
                             catch_response=True) as response:
            self._check(response)

    # --- API reads: client users ---

    @task(10)
    def client_services(self) -> None:
        client = random.choice(FIXTURE["clients"])
        self._get(f"/api/v1/services/?page={random.randint(1, 12)}", "/api/v1/services/",
                  client["token"])

    @task(10)
    def client_applications(self) -> None:
        self._get("/api/v1/applications/", "/api/v1/applications/",
                  random.choice(FIXTURE["clients"])["token"])

    @task(10)
    def client_engagements(self) -> None:
        self._get("/api/v1/engagements/", "/api/v1/engagements/",
                  random.choice(FIXTURE["clients"])["token"])

    @task(10)
    def client_metrics(self) -> None:
        client = random.choice(FIXTURE["clients"])
        engagement = random.choice(client["engagements"])
        self._get(f"/api/v1/engagements/{engagement}/metrics/",
                  "/api/v1/engagements/[id]/metrics/", client["token"])

    # --- API reads: staff ---

    @task(5)
    def staff_engagements(self) -> None:
        self._get(f"/api/v1/engagements/?page={random.randint(1, 8)}",
                  "/api/v1/engagements/ (staff)", random.choice(FIXTURE["staff"]))

    @task(5)
    def staff_metrics(self) -> None:
        engagement = random.choice(FIXTURE["engagements"])["id"]
        self._get(f"/api/v1/engagements/{engagement}/metrics/",
                  "/api/v1/engagements/[id]/metrics/ (staff)", random.choice(FIXTURE["staff"]))

    # --- Bulk time entries (staff integration) ---

    @task(10)
    def bulk_time_entries(self) -> None:
        engagement = random.choice(FIXTURE["engagements"])
        rows = []
        for member in engagement["team"]:
            worked = (TODAY - date.fromisoformat(member["start"])).days
            for _ in range(BULK_ROWS // len(engagement["team"])):
                rows.append({
                    "engagement": engagement["id"], "consultant": member["consultant"],
                    "worked_on": (TODAY - timedelta(days=random.randint(0, worked))).isoformat(),
                    "hours": random.choice(["0.25", "0.50", "0.75", "1.00"]),
                    "description": "Pushed by the load test",
                    "external_id": f"load-{uuid.uuid4().hex}",
                })
        headers = {**JSON, "Authorization": f"Token {random.choice(FIXTURE['staff'])}"}
        with self.client.post("/api/v1/time-entries/bulk/", json=rows, headers=headers,
                              name="/api/v1/time-entries/bulk/",
                              catch_response=True) as response:
            if self._check(response, 201):
                created = response.json().get("created")
                if created != len(rows):
                    response.failure(f"created {created} of {len(rows)} entries")

    # --- Matching (staff) ---

    @task(15)
    def matches(self) -> None:
        need = random.choice(FIXTURE["needs"])
        self._get(f"/api/v1/staffing-needs/{need}/matches/",
                  "/api/v1/staffing-needs/[id]/matches/", random.choice(FIXTURE["staff"]))
