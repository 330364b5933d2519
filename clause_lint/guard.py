"""A time budget per document, and the stage the document is in.

One hostile or pathological file must cost its own budget, not the run:
:class:`Budget` arms ``SIGALRM`` (``signal.setitimer``) around one document and,
when it fires, raises :class:`TimedOut` carrying the stage being worked on
(``reading``, ``structure``, ``checking``). :meth:`clause_lint.api.Linter.check`
turns that into ``PATH: error: timed out after N s while STAGE`` and the run goes on.

:class:`TimedOut` derives from ``BaseException`` on purpose: readers wrap library
calls in ``except Exception`` to turn library failures into "damaged file" errors,
and a timeout must pass through those handlers unchanged.

Limits of the mechanism, stated plainly:

- Signals are only delivered to the main thread, and ``signal.setitimer`` does not
  exist on Windows; there the budget is not enforced (the document runs to the end).
- Python handles a signal between bytecodes. A single long call into C code that
  does not return to Python would be interrupted only when it returns; PDFium, the
  one such library, therefore runs in a forked child that the parent kills at the
  deadline (:mod:`clause_lint.extract.isolate`, Linux). The regular-expression engine and spaCy's matcher do return
  often enough, so catastrophic regular expressions are stopped.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Callable, Optional

STAGES = ("reading", "structure", "checking")


class TimedOut(BaseException):
    """The document's time budget ran out (raised from the SIGALRM handler)."""

    def __init__(self, seconds: float, stage: str) -> None:
        super().__init__(f"timed out after {format_seconds(seconds)} s while {stage}")
        self.seconds = seconds
        self.stage = stage

    @property
    def message(self) -> str:
        return str(self)


def format_seconds(seconds: float) -> str:
    """``120`` for whole seconds, ``0.5`` otherwise."""
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


def available() -> bool:
    """Whether a budget can be enforced here (main thread, a platform with setitimer)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


_forward: Optional[Callable[[str], None]] = None


def forward_stages(send: Optional[Callable[[str], None]]) -> None:
    """Send every :func:`set_stage` to ``send`` instead: a reader's forked child
    (:mod:`clause_lint.extract.isolate`) tells its parent, which holds the budget."""
    global _forward
    _forward = send


def set_stage(stage: str) -> None:
    """Name what the running document's budget is spent on, from deep inside a stage
    (a reader recognising page 12 of 40). Nothing happens when no budget is armed."""
    if _forward is not None:
        _forward(stage)
    elif Budget._active is not None:
        Budget._active.enter(stage)


class Budget:
    """Context manager: at most ``seconds`` for the block, with a current ``stage``.

    ``seconds`` of ``None`` or ``<= 0`` means no limit. Budgets do not nest: an inner
    budget would cancel the outer timer, so it is refused (the inner one is a no-op).
    """

    _active: Optional["Budget"] = None  # the budget armed in this process, if any

    def __init__(self, seconds: Optional[float], stage: str = "reading") -> None:
        self.seconds = seconds
        self.stage = stage
        self._armed = False
        self._previous: object = None

    def enter(self, stage: str) -> None:
        """Record that work on ``stage`` has started (named in the timeout message)."""
        self.stage = stage

    def _handler(self, signum: int, frame: Optional[FrameType]) -> None:
        if self._armed:
            self._armed = False
            raise TimedOut(self.seconds or 0.0, self.stage)

    def __enter__(self) -> "Budget":
        if not self.seconds or self.seconds <= 0 or not available() or Budget._active is not None:
            return self
        self._previous = signal.signal(signal.SIGALRM, self._handler)
        self._armed = True
        Budget._active = self
        signal.setitimer(signal.ITIMER_REAL, float(self.seconds))
        return self

    def __exit__(self, *exc: object) -> None:
        if Budget._active is not self:
            return
        # Disarm first, so a signal arriving during clean-up is ignored rather than
        # raised out of the ``with`` statement.
        self._armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous if self._previous is not None else signal.SIG_DFL)  # type: ignore[arg-type]
        Budget._active = None
