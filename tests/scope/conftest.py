"""Fixtures of the scope tests: the registry with its prefix twins, the personas, data, the oracle."""

from dataclasses import dataclass

import pytest
from django.test import Client

from rasoat.orgs.models import Unit, User
from tests.conftest import client_for
from tests.scope.world import Oracle, make_personas, make_twins, plant_data


@dataclass
class World:
    users: dict[str, User | None]
    twins: dict[str, Unit]
    oracle: Oracle

    def client(self, persona: str) -> Client:
        return client_for(self.users[persona])

    def unit(self, code: str) -> Unit:
        return Unit.objects.get(code=code)


@pytest.fixture
def world(campaign, personas) -> World:
    twins = make_twins(campaign)
    users = make_personas(personas)
    plant_data(campaign, users["admin"])
    return World(users, twins, Oracle(campaign))
