"""Staff accounts, agencies, sign-in and authorisation."""
