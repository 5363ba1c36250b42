"""Pure calculations on the budget model: allocation, plan, and the whole evaluation.

Nothing here imports an I/O library (a test enforces it).
"""

from finsam_xl.core.allocation import allocate, largest_remainder
from finsam_xl.core.evaluate import evaluate
from finsam_xl.core.plan import compute_plan

__all__ = ["allocate", "compute_plan", "evaluate", "largest_remainder"]
