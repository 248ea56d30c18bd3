"""The citizen (mobile) API: submit, attach, track, rate, public feed."""
