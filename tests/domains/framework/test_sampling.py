import random

from domains.framework.sampling import replay
from tests.domains.framework.toy import build_toy


def test_graph_links_outputs_to_inputs():
    g = build_toy().graph
    assert "get_user_details" in g.feeders("cancel_order", "order_id")
    assert g.discoverable("cancel_order") == ["order_id"]
    assert g.path("find_user_id_by_email", "cancel_order") is None  # auth returns a bare id
    assert g.path("get_user_details", "cancel_order") == ["get_user_details", "cancel_order"]


def test_chains_authenticate_discover_and_execute():
    d = build_toy()
    for i in range(50):
        chain = d.sampler.sample(random.Random(i))
        assert chain.ok, chain.failures
        assert chain.calls[0].purpose == "auth"
        assert any(c.purpose == "discover" for c in chain.calls)
        env, obs = replay(d, ((c.name, c.arguments) for c in chain.calls))
        assert all(o.ok for o in obs) and env.fingerprint() == chain.fingerprint


def test_sampling_is_deterministic():
    d = build_toy()
    a = d.sampler.sample(random.Random("x"))
    b = d.sampler.sample(random.Random("x"))
    assert a == b


def test_sampling_for_a_given_user():
    d = build_toy()
    assert d.sampler.sample(random.Random(1), user_id="user_7").user_id == "user_7"
