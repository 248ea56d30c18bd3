"""E-mail: the outbox (written in the caller's transaction), the sender that
delivers it after commit, citizen notices and the weekly status e-mail."""
