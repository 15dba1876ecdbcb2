"""Greedy and beam search on hand-made step functions whose best sequences are known."""
import itertools

import numpy as np
import pytest

import neuronet as nt
from neuronet.models.decoding import beam_search, greedy_decode, select_state

STOP = 0


def markov(table):
    """A step whose next-token log-probabilities depend only on the last token."""
    with np.errstate(divide="ignore"):   # impossible tokens get log 0 = −∞
        logt = np.log(np.asarray(table, dtype=np.float64))

    def step(tokens, state):
        return logt[tokens], state
    return step


# start token 3.  From 3: A (1) 0.6, B (2) 0.4.  From A: everything about equally likely.
# From B: stop almost surely.  Greedy takes A; the best sequence is "B <stop>" (0.4·0.97 = 0.388).
TRAP = [[0.10, 0.45, 0.45, 0.0],
        [0.34, 0.33, 0.33, 0.0],
        [0.97, 0.02, 0.01, 0.0],
        [0.00, 0.60, 0.40, 0.0]]


def brute_force_best(step_logp, start, max_len, stop):
    """Highest log-probability sequence by enumeration (step_logp(prefix) -> (V,) log-probs)."""
    best, best_seq = -np.inf, None
    v = len(step_logp([start]))
    for n in range(1, max_len + 1):
        for seq in itertools.product(range(v), repeat=n):
            if stop in seq[:-1] or (n < max_len and seq[-1] != stop):
                continue   # a stopped sequence ends at its stop; an unstopped one runs to max_len
            total, prefix = 0.0, [start]
            for tok in seq:
                total += step_logp(prefix)[tok]
                prefix.append(tok)
            if total > best:
                best, best_seq = total, [t for t in seq if t != stop]
    return best_seq, best


def test_greedy_follows_the_most_likely_token_and_stops():
    seqs, scores = greedy_decode(markov(TRAP), np.array([3]), max_len=10, stop_id=STOP)
    # 3 -> A (0.6) -> A or B tie (0.33, argmax takes A) -> A ... ; from A stop 0.34 is the largest
    assert seqs == [[1]]
    assert np.isclose(scores[0], np.log(0.6) + np.log(0.34))


def test_beam_finds_the_sequence_greedy_misses():
    step = markov(TRAP)
    greedy, g_score = greedy_decode(step, np.array([3]), max_len=6, stop_id=STOP)
    beam, b_score = beam_search(step, np.array([3]), beam_width=2, max_len=6, stop_id=STOP)
    assert beam == [[2]] and np.isclose(b_score[0], np.log(0.4 * 0.97))
    assert greedy != beam and b_score[0] > g_score[0]


def test_beam_width_one_equals_greedy_on_random_chains():
    rng = np.random.default_rng(0)
    for v in (3, 5, 8):
        table = rng.dirichlet(np.ones(v), size=v)
        starts = rng.integers(1, v, size=6)
        g, gs = greedy_decode(markov(table), starts, max_len=7, stop_id=STOP)
        b, bs = beam_search(markov(table), starts, beam_width=1, max_len=7, stop_id=STOP)
        assert g == b
        np.testing.assert_allclose(gs, bs)


def history_step(v, seed=0):
    """A non-Markov step: the log-probs depend on the sum of all tokens so far, carried in a
    nested state, so a beam search that reorders the state wrongly finds a wrong sequence."""
    table = np.log(np.random.default_rng(seed).dirichlet(np.ones(v), size=7))

    def logp(prefix):
        return table[sum(prefix) % 7]

    def step(tokens, state):
        total = state["sum"][0] + tokens
        return table[total % 7], {"sum": (total,), "row": state["row"]}
    return step, logp


@pytest.mark.parametrize("v,max_len", [(3, 4), (4, 3)])
def test_wide_beam_is_exact_and_state_rows_follow_their_beams(v, max_len):
    step, logp = history_step(v)
    starts = np.array([1, 2, 3 % v or 1])
    state = {"sum": (np.zeros(3, dtype=np.int64),), "row": np.arange(3)}
    width = v ** max_len   # keeps every prefix: the search is exhaustive
    seqs, scores = beam_search(step, starts, width, max_len, STOP, state=state)
    for i, s in enumerate(starts):
        want, want_score = brute_force_best(logp, int(s), max_len, STOP)
        assert seqs[i] == want
        assert np.isclose(scores[i], want_score)


def test_rows_of_a_batch_are_independent():
    step, _ = history_step(5, seed=1)
    starts = np.array([1, 2, 4, 3])
    state = {"sum": (np.zeros(4, dtype=np.int64),), "row": np.arange(4)}
    together, s_together = beam_search(step, starts, 3, 6, STOP, state=state)
    for i in range(4):
        alone, s_alone = beam_search(step, starts[i:i + 1], 3, 6, STOP,
                                     state={"sum": (np.zeros(1, dtype=np.int64),), "row": np.arange(1)})
        assert alone[0] == together[i] and np.isclose(s_alone[0], s_together[i])


def test_return_all_gives_sorted_distinct_hypotheses():
    seqs, scores, every = beam_search(markov(TRAP), np.array([3, 3]), 3, 5, STOP, return_all=True)
    assert len(every) == 2 and all(len(h) == 3 for h in every)
    for row in every:
        values = [s for _, s in row]
        assert values == sorted(values, reverse=True)
        assert len({tuple(t) for t, _ in row}) == 3
    assert every[0][0] == (seqs[0], scores[0])


def test_length_penalty_favours_longer_outputs():
    # from start: stop 0.5, A 0.5; from A: A 0.9, stop 0.1; from A at length 2 on, stop likely
    table = [[1.0, 0.0, 0.0], [0.3, 0.7, 0.0], [0.5, 0.5, 0.0]]
    plain, _ = beam_search(markov(table), np.array([2]), 4, 6, STOP)
    assert plain == [[]]                                         # log 0.5 beats 0.5·0.3·...
    long, _ = beam_search(markov(table), np.array([2]), 4, 6, STOP, length_penalty=3.0)
    assert len(long[0]) > 0


def test_without_stop_every_row_runs_to_max_len():
    seqs, _ = greedy_decode(markov(TRAP), np.array([3, 3]), max_len=5, stop_id=None)
    assert [len(s) for s in seqs] == [5, 5]
    seqs, _ = beam_search(markov(TRAP), np.array([3]), 2, 5, stop_id=None)
    assert len(seqs[0]) == 5


def test_stopped_rows_are_padded_and_search_ends_early():
    calls = []

    def step(tokens, state):
        calls.append(len(tokens))
        lp = np.full((len(tokens), 3), np.log(0.25))
        lp[:, STOP] = np.log(0.5)
        return lp, state
    seqs, scores = greedy_decode(step, np.array([1, 2]), max_len=50, stop_id=STOP)
    assert seqs == [[], []] and len(calls) == 1
    np.testing.assert_allclose(scores, np.log(0.5))
    calls.clear()
    beam_search(step, np.array([1, 2]), 2, 50, STOP)
    assert len(calls) < 50 and calls[0] == 4   # B·K rows per call


def test_select_state_keeps_the_structure():
    state = {"h": np.arange(6).reshape(3, 2), "pair": (np.arange(3), [np.arange(3) * 10]), "none": None}
    out = select_state(state, np.array([2, 0]))
    assert out["h"].tolist() == [[4, 5], [0, 1]] and out["pair"][0].tolist() == [2, 0]
    assert out["pair"][1][0].tolist() == [20, 0] and out["none"] is None
    t = select_state(nt.tensor(np.arange(3.0)), np.array([1, 1]))
    assert t.numpy().tolist() == [1.0, 1.0]


def test_bad_arguments_are_named():
    step = markov(TRAP)
    with pytest.raises(ValueError, match="greedy_decode: start_ids"):
        greedy_decode(step, np.array([[3]]), 5, STOP)
    with pytest.raises(ValueError, match="beam_search: max_len"):
        beam_search(step, np.array([3]), 2, 0, STOP)
    with pytest.raises(ValueError, match="beam_search: beam_width"):
        beam_search(step, np.array([3]), 0, 5, STOP)
    with pytest.raises(ValueError, match="beam_search: length_penalty"):
        beam_search(step, np.array([3]), 2, 5, STOP, length_penalty=-1.0)
    with pytest.raises(ValueError, match=r"greedy_decode: step must return log_probs of shape \(2, vocab\)"):
        greedy_decode(lambda t, s: (np.zeros((1, 4)), s), np.array([3, 3]), 5, STOP)
    with pytest.raises(TypeError, match="beam_search: step must return"):
        beam_search(lambda t, s: np.zeros((1, 4)), np.array([3]), 2, 5, STOP)
