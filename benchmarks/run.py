"""Run every benchmark (`make bench`) and print one line each.

Discovers `benchmarks/bench_*.py`; each exposes `run() -> dict` (or a list of such dicts) with
`name`, `value` (number), `unit`, `target` (number), `meets` (bool) and `detail` (str).

Django runs against a throwaway database: a fresh SQLite file in a temporary folder, migrated,
or, when DATABASE_URL is set, a test database beside the one it names (created, migrated and
dropped again, as the test runner does). The database is emptied between benchmarks.

    .venv/bin/python benchmarks/run.py                 # all
    .venv/bin/python benchmarks/run.py people_list     # those whose file name contains a word
"""

import importlib.util
import logging
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
KEYS = ("name", "value", "unit", "target", "meets", "detail")


def discover(words: list[str]) -> list[Path]:
    paths = sorted(HERE.glob("bench_*.py"))
    if words:
        paths = [path for path in paths if any(word in path.stem for word in words)]
    return paths


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"benchmarks.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup_django(workdir: Path):
    """Configure Django for a throwaway database; return a function that tears it down."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kvalis.settings")
    os.environ["KVALIS_VAR_DIR"] = str(workdir)
    (workdir / "static").mkdir(exist_ok=True)  # WhiteNoise warns about a missing STATIC_ROOT
    os.environ["TASKS_IMMEDIATE"] = "1"
    use_test_database = bool(os.environ.get("DATABASE_URL"))
    if not use_test_database:
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    for path in (ROOT, ROOT / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    # As in tests: DEBUG off, mail kept in memory, 'testserver' an allowed host.
    setup_test_environment(debug=False)
    # One line per benchmark: the immediate backend's "Task id=... state=..." lines are noise here.
    logging.getLogger("django.tasks").setLevel(logging.WARNING)
    if use_test_database:
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)

        def teardown():
            connection.creation.destroy_test_db(old_name, verbosity=0)
            teardown_test_environment()

        return teardown
    call_command("migrate", verbosity=0, interactive=False)
    return teardown_test_environment


def empty_database() -> None:
    from django.core.management import call_command

    call_command("flush", verbosity=0, interactive=False)


def as_results(returned) -> list[dict]:
    results = returned if isinstance(returned, list) else [returned]
    for result in results:
        missing = [key for key in KEYS if key not in result]
        if missing:
            raise ValueError(f"benchmark result lacks {missing}: {result}")
    return results


def figure(value: float) -> str:
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"


def line(result: dict) -> str:
    verdict = "meets" if result["meets"] else "misses"
    unit = result["unit"]
    measured = f"{figure(result['value'])} {unit}".strip()
    target = f"{figure(result['target'])} {unit}".strip()
    text = f"{result['name']:<44} {measured:>14}   target {target:<12} {verdict}"
    if result.get("detail"):
        text += f"   ({result['detail']})"
    return text


def main(argv: list[str]) -> int:
    paths = discover(argv)
    if not paths:
        print("no benchmarks found")
        return 1
    failures = 0
    with tempfile.TemporaryDirectory(prefix="kvalis-bench-") as workdir:
        teardown = setup_django(Path(workdir))
        from django.db import connection

        print(f"# database: {connection.vendor} ({connection.settings_dict['NAME']})")
        try:
            for path in paths:
                started = time.perf_counter()
                try:
                    results = as_results(load(path).run())
                except Exception:
                    failures += 1
                    print(f"{path.stem:<44} ERROR")
                    traceback.print_exc()
                    continue
                finally:
                    empty_database()
                for result in results:
                    print(line(result), flush=True)
                print(f"# {path.stem} took {time.perf_counter() - started:.1f} s", flush=True)
        finally:
            teardown()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
