"""Scheduled jobs: what runs when (jobs.py), the APScheduler that runs them in
`pakn serve` or `pakn scheduler` (runner.py), and the `pakn jobs` commands (cli.py)."""
