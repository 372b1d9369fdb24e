"""Fixtures of the API tests: a read-write token per persona and clients that send it."""

import json
from pathlib import Path

import pytest
from django.test import Client

from rasoat.api.tokens import create_token

SAMPLE_UNIT = "X.03445.DU"
SAMPLE = json.loads(
    (Path(__file__).resolve().parent.parent / "fixtures" / "mau_dang_uy_muong_te.json").read_text("utf-8")
)["data"]


def api_client(raw: str | None) -> Client:
    """A client that sends `raw` as its bearer token (none for None)."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}") if raw else Client()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def token_secrets(personas) -> dict[str, str | None]:
    """A read-write token per persona (None for the anonymous one)."""
    return {
        name: (create_token(user, f"test {name}", can_write=True)[1] if user else None)
        for name, user in personas.items()
    }


@pytest.fixture
def api_clients(token_secrets) -> dict[str, Client]:
    return {name: api_client(raw) for name, raw in token_secrets.items()}
