# ruff: noqa: E501 (the workbook's XML parts, kept as they appear in a file)
"""Import preview of a 1 000 000-row XLSX: refused within 2 s, peak memory under 150 MB.

Set-up (not timed): a project, a cohort and its coordinator; the workbook itself, written
straight as SpreadsheetML (one shared string per column, three cells a row) so that a million
rows make a small file, as the attack did (an 808 KB upload).

Timed, in a fresh child process so that its peak memory is this work's alone: the upload
(`import_create` stores the file) and the read that the worker then runs (`import_read`, here
in-process: the benchmark's tasks are immediate), which streams the first sheet and stops at
the row limit. The figure is wall-clock time; the detail gives the child's CPU time and its
peak resident memory (VmHWM: Python, Django and openpyxl included).
"""

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROWS = 1_000_000
TARGET_S = 2.0
TARGET_MB = 150

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
STRINGS = ["Vardas", "Pavardė", "Įstaiga", "Ona", "Onaitė", "Biblioteka"]
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def make_file(path: Path, rows: int) -> int:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        strings = "".join(f"<si><t>{s}</t></si>" for s in STRINGS)
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{len(STRINGS)}" '
            f'uniqueCount="{len(STRINGS)}">{strings}</sst>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
            )
            chunk = []
            for r in range(1, rows + 2):  # the header and `rows` rows
                first = 0 if r == 1 else 3
                # Row and cell references are optional in SpreadsheetML; without them every row
                # is the same bytes, and a million of them compress to almost nothing.
                chunk.append(
                    f'<row><c t="s"><v>{first}</v></c><c t="s"><v>{first + 1}</v></c>'
                    f'<c t="s"><v>{first + 2}</v></c></row>'
                )
                if len(chunk) == 10_000:
                    sheet.write("".join(chunk).encode())
                    chunk = []
            sheet.write(("".join(chunk) + "</sheetData></worksheet>").encode())
    return path.stat().st_size


CHILD = r"""
import json, os, resource, sys, time
params = json.loads(sys.argv[1])
for path in params["sys_path"]:
    sys.path.insert(0, path)
import django
django.setup()
from django.db import connections
connections["default"].settings_dict["NAME"] = params["db_name"]
from django.test.utils import setup_test_environment
setup_test_environment(debug=False)
import logging
logging.getLogger("django.tasks").setLevel(logging.WARNING)
from kvalis.accounts.models import User
from kvalis.enrolment import imports
from kvalis.projects.models import Cohort
user = User.objects.get(pk=params["user"])
cohort = Cohort.objects.select_related("activity__project").get(pk=params["cohort"])
data = open(params["file"], "rb").read()
def peak_kb():
    # VmHWM: this process's own high-water mark. ru_maxrss would include the parent's, which
    # Linux carries over a fork and exec.
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
baseline = peak_kb()
cpu, wall = time.process_time(), time.perf_counter()
batch = imports.import_create(
    actor=user, project=cohort.activity.project, cohort=cohort, partner=None,
    name="milijonas.xlsx", data=data,
)
batch.refresh_from_db()
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
print(json.dumps({
    "wall": wall, "cpu": cpu, "status": batch.status, "message": batch.message,
    "peak_kb": peak_kb(), "baseline_kb": baseline,
}))
"""


def run() -> dict:
    from datetime import date, timedelta

    from django.db import connection

    from tests.factories import (
        ActivityFactory,
        CohortFactory,
        MembershipFactory,
        PartnerFactory,
        UserFactory,
    )

    activity = ActivityFactory()
    project = activity.project
    PartnerFactory(project=project, organisation=project.lead, role="lead")
    start = date.today() + timedelta(days=30)
    cohort = CohortFactory(activity=activity, start_date=start, end_date=start, capacity=30)
    user = UserFactory(email="koordinatore@example.lt")
    MembershipFactory(project=project, user=user, role="coordinator")

    with tempfile.TemporaryDirectory(prefix="kvalis-bench-xlsx-") as folder:
        path = Path(folder) / "milijonas.xlsx"
        size = make_file(path, ROWS)
        root = Path(__file__).resolve().parent.parent
        params = {
            "file": str(path),
            "user": user.pk,
            "cohort": cohort.pk,
            "db_name": str(connection.settings_dict["NAME"]),
            "sys_path": [str(root), str(root / "src")],
        }
        connection.close()  # SQLite: the child opens the same file
        done = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps(params)],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            check=False,
        )
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    refused = result["status"] == "failed" and "20000" in result["message"]
    peak_mb = result["peak_kb"] / 1024
    wall = result["wall"]
    return {
        "name": "import preview of a 1 000 000-row XLSX refused",
        "value": round(wall, 2),
        "unit": "s",
        "target": TARGET_S,
        "meets": refused and wall <= TARGET_S and peak_mb < TARGET_MB,
        "detail": (
            f"file {size / 1024:.0f} KB; CPU {result['cpu']:.2f} s; peak memory {peak_mb:.0f} MB "
            f"(target < {TARGET_MB} MB; {result['baseline_kb'] / 1024:.0f} MB before the upload); "
            f"{'refused: ' + result['message'] if refused else 'NOT refused: ' + result['status']}"
        ),
    }
