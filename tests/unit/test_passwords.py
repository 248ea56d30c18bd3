"""Password hashing with argon2id, and the password rules of the account schemas."""

from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from pakn.accounts.passwords import hash_password, needs_rehash, verify_password
from pakn.accounts.schemas import SignIn, UserCreate

PASSWORD = "mật-khẩu-đủ-dài-2026"


def test_a_hash_is_argon2id_salted_and_verifies_its_password() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$")
    assert first != second  # a fresh salt each time
    assert PASSWORD not in first
    assert verify_password(PASSWORD, first)
    assert not needs_rehash(first)


def test_a_wrong_password_does_not_verify() -> None:
    assert not verify_password("mật-khẩu-khác-2026", hash_password(PASSWORD))


def test_no_stored_hash_never_verifies_not_even_the_dummy_password() -> None:
    assert not verify_password(PASSWORD, None)
    assert not verify_password("pakn-dummy-password", None)


def test_a_corrupt_stored_hash_is_a_failed_check_not_an_error() -> None:
    assert not verify_password(PASSWORD, "not-a-hash")


def test_a_password_typed_with_decomposed_letters_equals_the_composed_one() -> None:
    decomposed = unicodedata.normalize("NFD", PASSWORD)
    assert decomposed != PASSWORD
    stored = hash_password(UserCreate.model_validate(_user(password=PASSWORD)).password)
    assert verify_password(SignIn.model_validate({"username": "an", "password": decomposed}).password, stored)


def test_spaces_around_a_password_are_kept() -> None:
    assert SignIn.model_validate({"username": "an", "password": " a b "}).password == " a b "


def test_a_new_password_needs_ten_characters() -> None:
    with pytest.raises(ValidationError) as caught:
        UserCreate.model_validate(_user(password="ngắn-quá"))
    assert caught.value.errors()[0]["type"] == "string_too_short"
    assert UserCreate.model_validate(_user(password="đủ-mười-kt")).password == "đủ-mười-kt"


def test_usernames_are_lowercased_and_limited_to_a_plain_alphabet() -> None:
    assert UserCreate.model_validate(_user(username="  Nguyen.Van-An_2 ")).username == "nguyen.van-an_2"
    for bad in ("an", "nguyễn", "an an", "-an", "a" * 151):
        with pytest.raises(ValidationError):
            UserCreate.model_validate(_user(username=bad))


def _user(**overrides: str) -> dict[str, str]:
    return {"username": "nguyen.an", "password": PASSWORD, "role": "viewer", **overrides}
