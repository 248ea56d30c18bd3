#!/bin/sh
# The long fuzz run (issue 17): tests/e2e/test_served_api_fuzz.py with more cases
# per operation and a viewer run besides admin, anonymous and the session-ending
# operations; on SQLite, then on PostgreSQL when PAKN_TEST_DATABASE_URL is set.
#
#   bench/fuzz_long.sh                        # 100 cases per operation and phase
#   PAKN_FUZZ_EXAMPLES=300 bench/fuzz_long.sh
#   PAKN_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pakn_test_fuzz bench/fuzz_long.sh
set -eu
cd "$(dirname "$0")/.."
export PAKN_FUZZ_EXAMPLES="${PAKN_FUZZ_EXAMPLES:-100}"
export PAKN_FUZZ_TIMEOUT="${PAKN_FUZZ_TIMEOUT:-3600}"
export PAKN_FUZZ_LONG=1
fuzz="tests/e2e/test_served_api_fuzz.py"
echo "== SQLite: $PAKN_FUZZ_EXAMPLES cases per operation and phase"
env -u PAKN_TEST_DATABASE_URL .venv/bin/python -m pytest -q -x -rP "$fuzz"
if [ -n "${PAKN_TEST_DATABASE_URL:-}" ]; then
    echo "== PostgreSQL: $PAKN_TEST_DATABASE_URL (served database: <name>_served)"
    .venv/bin/python -m pytest -q -x -rP "$fuzz"
fi
