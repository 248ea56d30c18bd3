"""`pakn triage train` and `pakn triage evaluate FILE.jsonl`.

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
from pakn.intelligence import current_engine, report, train
from pakn.settings import Settings


def add_triage_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    triage = commands.add_parser("triage", help="gợi ý phân loại / triage suggestions")
    actions = triage.add_subparsers(dest="action", required=True)
    train = actions.add_parser("train", help="huấn luyện mô hình phân loại / train the category model")
    train.set_defaults(handler=cmd_train)
    check = actions.add_parser("evaluate", help="đánh giá trên tệp có nhãn / evaluate on a labelled file")
    check.add_argument("file", type=Path, help="JSON lines: title, content, category, urgent, dup_group, lat, lon, pii")
    check.add_argument("--folds", type=int, default=5, help="cross-validation folds for the model (2: train on half)")
    check.set_defaults(handler=cmd_evaluate)


def cmd_train(args: argparse.Namespace) -> int:
    settings = load_settings()
    database_ready(settings)
    return asyncio.run(_train(settings))


async def _train(settings: Settings) -> int:
    context.install(settings)
    engine = current_engine()
    await db.open_database(settings)
    try:
        row = await train(engine, datetime.now(settings.tz))
    finally:
        await db.close_database()
    if row is None:
        print(
            "pakn: chưa đủ phản ánh đã phân loại để huấn luyện, tiếp tục dùng từ khóa / "
            f"too few staff decisions to train (need {settings.triage.model_min_reports}); rules only",
            file=sys.stderr,
        )
        return 1
    print(
        f"pakn: đã huấn luyện mô hình {row.id} / trained model {row.id}: {json.dumps(row.metrics, ensure_ascii=False)}"
    )
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
