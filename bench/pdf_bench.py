"""Benchmark: the plan PDF through the app versus WeasyPrint alone (not a test).

    .venv/bin/python bench/pdf_bench.py [--runs 15] [--pages 6] [--out plan.pdf]

Builds a plan of about ``--pages`` pages in a throwaway SQLite database, then renders it
``--runs`` times along the app's path (read the plan, render the template, WeasyPrint
through the static-files-only fetcher, store the file on its ``PlanExport``) and as many
times with WeasyPrint alone on the same HTML. Prints both medians and their ratio, for
wall-clock time and for CPU time (steady when other programs load the machine).
Targets on a 2-core machine: at most 1.0 s for 6 pages; app overhead at most 10 %.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "pop_platform.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["POP_VAR_DIR"] = str(folder)
    os.environ["DJANGO_MEDIA_ROOT"] = str(folder / "media")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build_plan():
    """A realistic plan: three goals in a cascade and four gaps; actions come later."""
    import datetime
    from decimal import Decimal

    from goals.models import Goal
    from people.models import Organisation, OrgUnit, User
    from plans.models import Competency, CompetencyGap, DevelopmentPlan

    organisation = Organisation.objects.create(name="Zorggroep De Linde")
    team = OrgUnit.objects.create(organisation=organisation, name="Wijkteam Noord")
    manager = User.objects.create(
        email="manager@bench.test",
        full_name="Jeroen de Vries",
        organisation=organisation,
        unit=team,
    )
    employee = User.objects.create(
        email="employee@bench.test",
        full_name="Sanne Jansen",
        organisation=organisation,
        unit=team,
        line_manager=manager,
        job_title="Wijkverpleegkundige",
    )
    today = datetime.date(2026, 1, 1)
    org_goal = Goal.objects.create(
        organisation=organisation,
        level="organisation",
        title="Digitale zorg voor iedere cliënt",
        metric="none",
        status="active",
        start_date=today,
        due_date=today.replace(month=12),
        visibility="organisation",
    )
    team_goal = Goal.objects.create(
        organisation=organisation,
        level="team",
        owner_unit=team,
        parent=org_goal,
        title="Beeldzorg in Wijkteam Noord",
        metric="none",
        status="active",
        visibility="team",
    )
    goals = [
        Goal.objects.create(
            organisation=organisation,
            level="individual",
            owner_person=employee,
            parent=team_goal,
            title=f"Doel {n}: twintig cliënten begeleiden met beeldzorg",
            metric="number",
            start_value=0,
            target_value=20,
            current_value=4 * n,
            status="active",
            start_date=today,
            due_date=today.replace(month=12),
        )
        for n in range(1, 4)
    ]
    plan = DevelopmentPlan.objects.create(
        employee=employee,
        organisation=organisation,
        yearly_budget=Decimal("2500"),
        period_start=today,
        period_end=today.replace(month=12, day=31),
        employee_ambition="Groeien naar specialistisch wijkverpleegkundige e-health. " * 4,
        organisation_ambition="Meer cliënten zelfstandig thuis met digitale zorg. " * 3,
    )
    gaps = []
    for n, name in enumerate(["Digitale vaardigheden", "Coachen", "Plannen", "Samenwerken"]):
        competency = Competency.objects.create(
            organisation=organisation, name=name, level_2="Met hulp.", level_4="Leert anderen."
        )
        gaps.append(
            CompetencyGap.objects.create(
                plan=plan,
                competency=competency,
                current_level=2,
                desired_level=4,
                why_it_matters="Nodig voor de beeldzorg in de wijk.",
                goal=goals[n % 3],
            )
        )
    return plan


def add_actions(plan, count: int) -> None:
    """``count`` more actions, spread over the gaps, goals, kinds and statuses."""
    import datetime
    from decimal import Decimal

    from plans.models import DevelopmentAction

    gaps = list(plan.gaps.select_related("goal"))
    start = plan.actions.count()
    today = datetime.date(2026, 1, 1)
    kinds, statuses = list(DevelopmentAction.Kind), list(DevelopmentAction.Status)
    DevelopmentAction.objects.bulk_create(
        DevelopmentAction(
            plan=plan,
            gap=gaps[n % 4],
            goal=gaps[n % 4].goal,
            kind=kinds[n % len(kinds)],
            status=statuses[n % len(statuses)],
            priority=1 + n % 3,
            title=f"Ontwikkelactie {n + 1}",
            provider="Zorgacademie",
            start_date=today,
            due_date=today.replace(month=6),
            cost=Decimal(75 + n),
        )
        for n in range(start, start + count)
    )


def app_render(plan) -> tuple[bytes, int]:
    """The task's path: claim, read, render, store (``services.plan_export_render``)."""
    from plans import services
    from plans.models import PlanExport

    export = PlanExport.objects.create(plan=plan, language="nl", fingerprint="bench")
    services.plan_export_claim(export_id=export.pk)
    export = services.plan_export_render(export_id=export.pk)
    with export.file.open("rb") as handle:
        return handle.read(), export.pages


def direct_render(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--out", type=Path, help="also write the app's PDF here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pop-pdf-bench-") as folder:
        setup_django(Path(folder))
        from django.conf import settings
        from django.templatetags.static import static
        from django.utils import timezone, translation

        from plans import pdf

        plan = build_plan()
        add_actions(plan, 10)
        while (pages := app_render(plan)[1]) < args.pages:
            add_actions(plan, 2)
        actions = plan.actions.count()
        document = pdf.plan_document(plan_id=plan.pk, language="nl")
        with translation.override("nl"):
            html = pdf.plan_html(document=document, generated_at=timezone.now())
        # WeasyPrint alone on the same HTML, reading the stylesheet from disk.
        css = (Path(settings.BASE_DIR) / "static" / "css" / "print.css").as_uri()
        html = html.replace(f'href="{static("css/print.css")}"', f'href="{css}"')
        assert css in html
        direct_render(html)  # warm up both paths (fonts, imports)
        # Wall-clock time (what a person waits for) and this process's CPU time (steady
        # when other programs load the machine: rendering is single-threaded).
        times: dict[str, list[tuple[float, float]]] = {"app": [], "alone": []}

        def timed(name: str, render) -> bytes:
            # Each sample starts with no garbage left by the one before, whichever it was.
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            result = render()
            times[name].append((time.perf_counter() - wall, time.process_time() - cpu))
            return result

        for run in range(args.runs):
            # Alternate the order, so drift in the machine's load hits both paths alike.
            if run % 2:
                direct = timed("alone", lambda: direct_render(html))
                file = timed("app", lambda: app_render(plan)[0])
            else:
                file = timed("app", lambda: app_render(plan)[0])
                direct = timed("alone", lambda: direct_render(html))
        if args.out:
            args.out.write_bytes(file)
        print(f"plan: {actions} actions, {pages} pages ({len(file) // 1024} KiB)")
        print(f"direct pdf: {len(direct) // 1024} KiB")
        print(f"runs: {args.runs}, load average {os.getloadavg()[0]:.2f}")
        for column, label in ((0, "wall"), (1, "cpu")):
            app = statistics.median(sample[column] for sample in times["app"])
            alone = statistics.median(sample[column] for sample in times["alone"])
            overhead = 100 * (app / alone - 1)
            print(f"median app path ({label}):         {app:.3f} s")
            print(f"median WeasyPrint alone ({label}): {alone:.3f} s")
            print(f"ratio app / WeasyPrint ({label}):  {app / alone:.3f} ({overhead:+.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
