"""`python -m playground lesson list|check [ID] [--json]`: the lessons shipped in the package, and their claims
checked by the engine (exit code 1 if one fails, naming the step and the measured value). Without an ID the check
also trains every challenge's solution, so that each challenge is known to be solvable."""

from __future__ import annotations

import json
import math
import sys
import time


def add_parser(commands):
    lesson = commands.add_parser("lesson", help="list the lessons, or check every step's claim with the engine")
    actions = lesson.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="id, title, concept and number of steps of every lesson")
    listing.add_argument("--json", action="store_true", help="print one line of strict JSON")
    check = actions.add_parser("check", help="train every step's config and check its claim (exit code 1 if one "
                                             "fails)")
    check.add_argument("id", nargs="?", help="one lesson's id (default: every lesson, and every challenge's "
                                             "solution)")
    check.add_argument("--json", action="store_true", help="print one line of strict JSON")


def _summary(lesson) -> dict:
    return {"id": lesson.id, "title": lesson.title, "concept": lesson.concept, "steps": len(lesson.steps),
            "waiting_for": list(lesson.waiting_for)}


def list_command(args) -> int:
    from .core.lessons import all_lessons
    lessons = [_summary(lesson) for lesson in all_lessons().values()]
    if args.json:
        print(json.dumps(lessons, allow_nan=False))
        return 0
    for item in lessons:
        waiting = f"  (waiting for: {', '.join(item['waiting_for'])})" if item["waiting_for"] else ""
        print(f"{item['id']:14} {item['steps']} steps  {item['title']} [{item['concept']}]{waiting}")
    return 0


def _result(lesson_id: str, r) -> dict:
    value = r.value if r.value is None or math.isfinite(r.value) else None
    status = "skipped" if r.holds is None else ("pass" if r.holds else "fail")
    return {"lesson": lesson_id, "step": r.step, "claim": r.claim, "value": value, "status": status,
            "seconds": round(r.seconds, 3), "reason": r.reason}


def _selected(lesson_id: str | None):
    from .core.lessons import all_lessons
    lessons = all_lessons()
    if lesson_id is None:
        return list(lessons.values())
    if lesson_id not in lessons:
        return None
    return [lessons[lesson_id]]


def _challenges(lesson_id: str | None) -> list:
    """All challenges' solutions are checked with all lessons (not with one lesson's check)."""
    from .core.lessons import all_challenges
    return list(all_challenges().values()) if lesson_id is None else []


def check_command(args) -> int:
    from .core.lessons import all_lessons, check_challenge, check_lesson
    from .core.train import enable_compilation_cache

    lessons = _selected(args.id)
    if lessons is None:
        print(f"error: no lesson {args.id!r}; known ones are {', '.join(all_lessons())}", file=sys.stderr)
        return 2
    enable_compilation_cache()
    start, results = time.perf_counter(), []
    for lesson in lessons:
        for r in check_lesson(lesson):
            results.append(_result(lesson.id, r))
            if not args.json:
                _print_result(results[-1])
    for challenge in _challenges(args.id):
        results.append(_result(f"challenge {challenge.id}", check_challenge(challenge)))
        if not args.json:
            _print_result(results[-1])
    failed = [r for r in results if r["status"] == "fail"]
    if args.json:
        print(json.dumps({"results": results, "failed": len(failed), "seconds": round(time.perf_counter() - start, 2)},
                         allow_nan=False))
    else:
        print(f"{len(results) - len(failed)} of {len(results)} claims pass or wait, {len(failed)} fail, "
              f"{time.perf_counter() - start:.1f} s")
    return 1 if failed else 0


def _print_result(r: dict):
    value = "-" if r["value"] is None else f"{r['value']:.4g}"
    extra = f"  {r['reason']}" if r["reason"] else ""
    where = f"{r['lesson']} step {r['step']}" if r["step"] else r["lesson"]
    print(f"{r['status']:7} {where}: {r['claim']}, measured {value}{extra}")


def lesson_command(args) -> int:
    return {"list": list_command, "check": check_command}[args.action](args)
