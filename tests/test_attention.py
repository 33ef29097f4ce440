"""The tiny attention model: the claims the positions page makes, proved on the real run."""

from __future__ import annotations

import torch

from embeddings_explained.attention import (
    TinyGPT,
    eval_windows,
    next_byte_probs,
    position_ablation,
    position_cosines,
    train_attention,
)
from embeddings_explained.training import uniform_loss


def test_tied_head_is_the_token_table_itself() -> None:
    model = TinyGPT(tie_weights=True)
    assert model.lm_head.weight is model.embeddings.token_embedding.weight
    assert TinyGPT().lm_head.weight is not TinyGPT().embeddings.token_embedding.weight


def test_training_starts_at_uniform_and_learns() -> None:
    losses = train_attention().losses
    assert abs(losses[0] - uniform_loss()) < 0.05  # std 0.02: almost equal logits
    assert sum(losses[-50:]) / 50 < 0.4 * uniform_loss()
    assert train_attention().held_out[-1][1] < 0.4 * uniform_loss()  # on text never seen


def test_training_is_deterministic_and_independent_of_the_thread_count() -> None:
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        two = train_attention.__wrapped__(steps=5).losses
        torch.set_num_threads(1)
        one = train_attention.__wrapped__(steps=5).losses
    finally:
        torch.set_num_threads(threads)
    assert one == two


def test_removing_or_shuffling_positions_costs_loss() -> None:
    loss = {k: float(v.mean()) for k, v in position_ablation().items()}
    assert loss["learned"] + 0.5 < loss["mean"] < loss["shuffled"]


def test_without_positions_a_reordered_prefix_gives_the_same_prediction() -> None:
    assert torch.allclose(next_byte_probs("Alic", "mean"), next_byte_probs("lAic", "mean"))
    learned = next_byte_probs("Alic"), next_byte_probs("lAic")
    assert (learned[0] - learned[1]).abs().max() > 0.05
    e = ord("e")  # the page: surer of 'e' after the spelling the book never contains
    assert learned[1][e] > learned[0][e]


def test_neighbouring_position_rows_are_the_most_alike() -> None:
    c = position_cosines()
    T = c.shape[0]
    others = c - 2 * torch.eye(T)  # a row's similarity to itself never wins
    nearest = others.argmax(dim=1)
    assert ((nearest - torch.arange(T)).abs() == 1).all()
    by_distance = [float(torch.diagonal(c, d).mean()) for d in range(1, T)]
    assert by_distance[0] > 0.8 > 0 > by_distance[-3]


def test_position_zero_has_the_longest_row_and_the_highest_loss() -> None:
    rows = train_attention().model.embeddings.position_embedding.weight.detach()
    assert rows.norm(dim=1).argmax() == 0
    assert position_ablation()["learned"].argmax() == 0


def test_eval_windows_are_the_text_in_order() -> None:
    x, y = eval_windows(16)
    assert x.shape == y.shape and x.shape[1] == 16
    assert torch.equal(x.flatten()[1:], y.flatten()[:-1])


def test_ablations_leave_the_trained_table_unchanged() -> None:
    rows = train_attention().model.embeddings.position_embedding.weight.detach().clone()
    position_ablation.__wrapped__()
    next_byte_probs("Alic", "mean")
    assert torch.equal(rows, train_attention().model.embeddings.position_embedding.weight)


def test_each_caller_gets_its_own_copy_of_the_cached_run() -> None:
    from embeddings_explained.attention import train_attention

    first = train_attention()
    with torch.no_grad():
        first.model.embeddings.position_embedding.weight.zero_()  # a caller trains it further
    again = train_attention()
    assert again.model is not first.model
    assert again.model.embeddings.position_embedding.weight.abs().sum() > 0
