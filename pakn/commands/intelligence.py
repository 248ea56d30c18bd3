"""`pakn triage train`, `pakn triage evaluate FILE.jsonl`, `pakn triage
curve DECISIONS.jsonl TEST.jsonl` and `pakn triage seed OUT FILE.jsonl...`.

Exit status: 0 done, 1 nothing trained (too few staff decisions) or the
file unreadable, 2 bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

from pakn import db
from pakn.commands.console import database_ready, load_settings
from pakn.core import context
from pakn.intelligence import STEPS, current_engine, curve_report, report, train, write_seed
from pakn.settings import Settings


def add_triage_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    triage = commands.add_parser("triage", help="gợi ý phân loại / triage suggestions")
    actions = triage.add_subparsers(dest="action", required=True)
    train = actions.add_parser(
        "train", help="huấn luyện mô hình phân loại và khẩn / train the category and urgency models"
    )
    train.set_defaults(handler=cmd_train)
    check = actions.add_parser("evaluate", help="đánh giá trên tệp có nhãn / evaluate on a labelled file")
    check.add_argument("file", type=Path, help="JSON lines: title, content, category, urgent, dup_group, lat, lon, pii")
    check.add_argument("--folds", type=int, default=5, help="cross-validation folds for the model (2: train on half)")
    check.set_defaults(handler=cmd_evaluate)
    curve = actions.add_parser("curve", help="đường học của mô hình / the model's learning curve")
    curve.add_argument("decisions", type=Path, help="JSON lines, in the order staff decided them")
    curve.add_argument("test", type=Path, help="held-out JSON lines of the same province")
    curve.add_argument("--also", type=Path, action="append", default=[], help="another labelled file to measure")
    curve.add_argument("--steps", type=_steps, default=STEPS, help="decisions per step (default 50,100,200,400)")
    curve.set_defaults(handler=cmd_curve)
    seed = actions.add_parser(
        "seed", help="huấn luyện mô hình khẩn chung / train the general urgency model (config/urgency_seed.npz)"
    )
    seed.add_argument("out", type=Path, help="where to write the model (.npz)")
    seed.add_argument("files", type=Path, nargs="+", help="labelled JSON lines, as for evaluate")
    seed.set_defaults(handler=cmd_seed)


def cmd_train(args: argparse.Namespace) -> int:
    settings = load_settings()
    database_ready(settings)
    return asyncio.run(_train(settings))


async def _train(settings: Settings) -> int:
    context.install(settings)
    engine = current_engine()
    await db.open_database(settings)
    try:
        retrained = await train(engine, datetime.now(settings.tz))
    finally:
        await db.close_database()
    if not retrained:
        print(
            "pakn: chưa đủ phản ánh đã phân loại để huấn luyện, tiếp tục dùng từ khóa / "
            f"too few staff decisions to train (need {settings.triage.model_min_reports}); rules only",
            file=sys.stderr,
        )
        return 1
    for item in retrained:
        # One line per kind: stored, or the model in use kept, with the held-out figures.
        print(f"pakn: {item.kind}: {json.dumps(item.figures, ensure_ascii=False)}")
    return 0


def _steps(value: str) -> tuple[int, ...]:
    try:
        steps = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {value}") from None
    if not steps or min(steps) < 2:
        raise argparse.ArgumentTypeError("each step needs at least 2 decisions")
    return steps


def cmd_curve(args: argparse.Namespace) -> int:
    context.install(load_settings())
    engine = current_engine()
    try:
        print(curve_report(engine, args.decisions, args.test, args.also, args.steps))
    except (OSError, ValueError, KeyError) as exc:
        print(f"pakn: không đọc được / cannot read: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    if args.folds < 2:
        print("pakn: --folds must be at least 2", file=sys.stderr)
        return 2
    context.install(load_settings())
    engine = current_engine()
    try:
        print(report(engine, args.file, args.folds))
    except (OSError, ValueError, KeyError) as exc:
        print(f"pakn: không đọc được / cannot read {args.file}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    try:
        print(f"pakn: {write_seed(args.out, args.files)}")
    except (OSError, ValueError, KeyError) as exc:
        print(f"pakn: không đọc được / cannot read: {exc}", file=sys.stderr)
        return 1
    return 0
