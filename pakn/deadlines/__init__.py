"""Deadlines in Vietnamese working time: the calendar, the policy per category
and priority, the hooks the workflow calls, and the jobs that watch them."""
