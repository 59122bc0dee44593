"""TurnLedger: pure bookkeeping of turns."""

from optio_codex.driver.turns import TurnLedger


def test_final_text_comes_from_item_completed_and_repeats_are_ignored() -> None:
    ledger = TurnLedger()
    ledger.begin("t1")
    ledger.begin("t1")  # ack and turn/started: one turn
    ledger.item_completed("t1", {"id": "m1", "type": "agentMessage", "text": "first"})
    ledger.item_completed("t1", {"id": "m2", "type": "agentMessage", "text": "final"})
    ledger.usage_updated({"total": {"totalTokens": 40, "inputTokens": 30, "outputTokens": 10}})
    result = ledger.complete("t1", "completed")
    assert result is not None
    assert result.final_text == "final" and result.messages == ["first", "final"]
    assert result.usage.total_tokens == 40
    assert ledger.complete("t1", "completed") is None  # a late repeat
    ledger.begin("t1")  # a stale start of an ended turn does not reopen it
    assert ledger.active is None


def test_usage_is_the_difference_across_each_turn() -> None:
    ledger = TurnLedger()
    ledger.begin("a")
    ledger.usage_updated({"total": {"totalTokens": 100}})
    ledger.complete("a", "completed")
    ledger.begin("b")
    ledger.usage_updated({"total": {"totalTokens": 130}})
    ledger.usage_updated({"total": {"totalTokens": 150}})  # reported twice: no double count
    b = ledger.complete("b", "completed")
    assert b is not None and b.usage.total_tokens == 50
    assert ledger.total_usage.total_tokens == 150


def test_memory_is_bounded_over_many_turns() -> None:
    ledger = TurnLedger(keep_turns=10)
    for i in range(1000):
        ledger.begin(f"t{i}")
        ledger.complete(f"t{i}", "completed")
    assert len(ledger.completed) == 10 and ledger.turn_count == 1000
    assert len(ledger._ended) <= 40
