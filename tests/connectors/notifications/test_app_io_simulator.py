"""App IO: profile check, then message (with payment data), against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from connectors import Notification, PaymentData, PermanentError, TransientError, ValidationError
from connectors.notifications.contrib.app_io import AppIOChannel, AppIOClient, pad_markdown
from connectors.simulators import AppIOSimulator, RunningSimulator

CF = "RSSMRA80A01H501U"
NOTICE = "301234567890123416"

AppIOSim = RunningSimulator[AppIOSimulator]


@pytest.fixture
def io(appio_sim: AppIOSim) -> AppIOClient:
    return AppIOClient.for_simulator(appio_sim.url, api_key="io-key")


def _note(**kw: object) -> Notification:
    base: dict[str, object] = {"subject": "La tua pratica è in attesa di pagamento", "text": "Paga l'avviso.",
                               "fiscal_code": CF}
    return Notification(**{**base, **kw})  # type: ignore[arg-type]


def test_profile_then_message_with_payment(io: AppIOClient, appio_sim: AppIOSim) -> None:
    channel = AppIOChannel(io)
    due = datetime.now(UTC) + timedelta(days=30)
    result = channel.send(_note(payment=PaymentData(1600, NOTICE), due_date=due), idempotency_key="msg-1")
    assert result.sent and result.message_id
    stats = appio_sim.app.stats()
    assert stats["profile_checks"] == 1 and stats["messages"] == 1
    stored = io.get_message(CF, result.message_id)
    content = stored["message"]["content"]
    assert content["payment_data"] == {"amount": 1600, "notice_number": NOTICE, "invalid_after_due_date": False}
    assert content["due_date"].endswith("Z") and len(content["markdown"]) >= 80
    assert stored["status"] == "PROCESSED"


def test_same_key_same_message(io: AppIOClient, appio_sim: AppIOSim) -> None:
    channel = AppIOChannel(io)
    first = channel.send(_note(), idempotency_key="msg-1")
    second = channel.send(_note(), idempotency_key="msg-1")
    assert first.message_id == second.message_id
    assert appio_sim.app.stats()["messages"] == 1


@pytest.mark.parametrize(("profile", "reason"), [("blocked", "sender_not_allowed"), ("none", "no_profile")])
def test_not_sent_without_permission(io: AppIOClient, appio_sim: AppIOSim, profile: str, reason: str) -> None:
    appio_sim.app.set_profile(CF, profile)
    result = AppIOChannel(io).send(_note(), idempotency_key="m")
    assert not result.sent and result.reason == reason
    assert appio_sim.app.stats()["messages"] == 0


def test_direct_send_to_blocked_is_permanent(io: AppIOClient, appio_sim: AppIOSim) -> None:
    appio_sim.app.set_profile(CF, "blocked")
    with pytest.raises(PermanentError) as err:
        io.submit_message(CF, "Oggetto del messaggio", pad_markdown("x"), idempotency_key="m")
    assert err.value.status == 403


def test_validation_and_faults(io: AppIOClient, appio_sim: AppIOSim) -> None:
    with pytest.raises(ValidationError):
        io.submit_message(CF, "corto", pad_markdown("x"), idempotency_key="m")
    with pytest.raises(ValidationError):
        io.submit_message(CF, "Oggetto del messaggio", "troppo breve", idempotency_key="m")
    with pytest.raises(ValidationError):
        io.submit_message(CF, "Oggetto del messaggio", pad_markdown("x"), idempotency_key="m",
                          payment=PaymentData(1600, "301234567890123417"))
    with pytest.raises(ValidationError):
        io.get_profile("not-a-fiscal-code")
    appio_sim.app.fail_next(1, status=429)
    with pytest.raises(TransientError):
        io.get_profile(CF)
    assert AppIOChannel(io).send(_note(fiscal_code=None), idempotency_key="m").reason == "no_fiscal_code"


def test_padding() -> None:
    padded = pad_markdown("Breve.")
    assert 80 <= len(padded) <= 10_000 and padded.startswith("Breve.")
    assert len(pad_markdown("x" * 20_000)) == 10_000
