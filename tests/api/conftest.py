"""API test helpers: a token per persona and one way to call an endpoint by token or session."""

import pytest

from kvalis.api.services import api_token_create


@pytest.fixture
def tokens(world) -> dict[str, str]:
    """Raw tokens of alice, bob and charlie, by name."""
    return {
        name: api_token_create(user=getattr(world, name), name=f"{name} script")[1]
        for name in ("alice", "bob", "charlie")
    }


@pytest.fixture
def call(client, world, tokens):
    """call(path, who, how): GET `path` as `who` ("alice"...), by "token" or by "session"."""

    def get(path: str, who: str, how: str = "token", **extra):
        if how == "session":
            client.force_login(getattr(world, who))
            return client.get(path, **extra)
        return client.get(path, headers={"Authorization": f"Bearer {tokens[who]}"}, **extra)

    return get
