"""`label_studio`: a Label Studio server reached over its REST API with plain httpx (no SDK).

Label Studio runs in its own virtual environment (`make label-studio`; it pins libraries that clash with
ours), on 127.0.0.1 with SQLite. The token comes from `MASLOW_LABEL_STUDIO_TOKEN` through `dg.EnvVar`.
One maslow queue is one project titled `maslow:<queue>`; tasks carry the queue's `task_id` in their data,
so pushing again updates the project and imports only new tasks.
"""

from __future__ import annotations

from typing import Any

import dagster as dg
import httpx

PROJECT_PREFIX = "maslow:"
TIMEOUT_S = 120.0
IMPORT_CHUNK = 500


class LabelStudioError(RuntimeError):
    """Label Studio answered with an error; the message holds the method, path, status and body."""


class LabelStudioResource(dg.ConfigurableResource):
    """A Label Studio server.

    Args:
        url: base URL, e.g. http://127.0.0.1:8080 (`MASLOW_LABEL_STUDIO_URL`).
        token: an API token (legacy token auth, `Authorization: Token <token>`); use `dg.EnvVar`.
    """

    url: str = "http://127.0.0.1:8080"
    token: str = ""

    def client(self, token: str | None = None) -> httpx.Client:
        return httpx.Client(
            base_url=self.url.rstrip("/"),
            timeout=TIMEOUT_S,
            headers={"Authorization": f"Token {token or self.token}"},
        )

    def call(self, method: str, path: str, token: str | None = None, **kwargs) -> Any:
        with self.client(token) as http:
            reply = http.request(method, path, **kwargs)
        if reply.status_code >= 400:
            raise LabelStudioError(f"{method} {path}: HTTP {reply.status_code}: {reply.text[:500]}")
        return reply.json() if reply.content else None

    # -------------------------------------------------------------------------------------- projects

    def find_project(self, queue: str) -> dict | None:
        title = PROJECT_PREFIX + queue
        page = self.call("GET", "/api/projects", params={"title": title, "page_size": 1000})
        found = [p for p in page.get("results", page) if p.get("title") == title]
        return found[0] if found else None

    def ensure_project(
        self,
        queue: str,
        label_config: str,
        model_version: str | None,
        description: str,
        maximum_annotations: int,
    ) -> tuple[dict, bool]:
        """The queue's project with this config and model version, created if missing; (project, created)."""
        fields = {
            "title": PROJECT_PREFIX + queue,
            "label_config": label_config,
            "description": description,
            "maximum_annotations": maximum_annotations,
            "show_overlap_first": True,
        }
        if model_version:  # annotations then record the prediction of this version: what annotators saw
            fields["model_version"] = model_version
        project = self.find_project(queue)
        if project is None:
            return self.call("POST", "/api/projects", json=fields), True
        return self.call("PATCH", f"/api/projects/{project['id']}", json=fields), False

    def task_ids(self, project_id: int) -> dict[str, int]:
        """`{maslow task_id: Label Studio task id}` of the project's tasks."""
        out, page = {}, 1
        while True:
            reply = self.call(
                "GET",
                "/api/tasks",
                params={"project": project_id, "page": page, "page_size": 1000, "fields": "all"},
            )
            tasks = reply.get("tasks", [])
            out.update({t["data"].get("task_id"): t["id"] for t in tasks})
            if len(out) >= reply.get("total", 0) or not tasks:
                return out
            page += 1

    def import_tasks(self, project_id: int, tasks: list[dict]) -> int:
        """Imports tasks (with predictions) whose task_id the project lacks; returns how many."""
        known = self.task_ids(project_id)
        new = [t for t in tasks if t["data"]["task_id"] not in known]
        for start in range(0, len(new), IMPORT_CHUNK):
            self.call("POST", f"/api/projects/{project_id}/import", json=new[start : start + IMPORT_CHUNK])
        return len(new)

    def export(self, project_id: int) -> list[dict]:
        """Label Studio's JSON export of the project, with `completed_by` as `{"id", "email"}`."""
        tasks = self.call("GET", f"/api/projects/{project_id}/export", params={"exportType": "JSON"})
        emails = {u["id"]: u.get("email") for u in self.call("GET", "/api/users")}
        for task in tasks:
            for ann in task.get("annotations", []):
                who = ann.get("completed_by")
                if isinstance(who, int):
                    ann["completed_by"] = {"id": who, "email": emails.get(who)}
        return tasks

    # ------------------------------------------------------------------------------------ annotators

    def add_annotator(self, email: str, password: str) -> str:
        """Signs a new annotator up through the organization's invite link; returns their API token."""
        invite = self.call("GET", "/api/invite")["invite_url"]
        with httpx.Client(base_url=self.url.rstrip("/"), timeout=TIMEOUT_S, follow_redirects=True) as http:
            http.get(invite).raise_for_status()
            form = {
                "email": email,
                "password": password,
                "csrfmiddlewaretoken": http.cookies.get("csrftoken"),
            }
            http.post(
                invite, data=form, headers={"Referer": self.url.rstrip("/") + invite}
            ).raise_for_status()
            reply = http.get("/api/current-user/token")
        if reply.status_code != 200 or "token" not in reply.json():
            raise LabelStudioError(f"sign-up of {email} failed: HTTP {reply.status_code}: {reply.text[:300]}")
        return reply.json()["token"]

    def annotate(
        self,
        task_id: int,
        result: list[dict],
        token: str | None = None,
        lead_time: float = 0.0,
        was_cancelled: bool = False,
    ) -> dict:
        """Posts one annotation to a task as the user owning `token` (default: the resource's)."""
        body = {"result": result, "lead_time": lead_time, "was_cancelled": was_cancelled}
        return self.call("POST", f"/api/tasks/{task_id}/annotations", token=token, json=body)
