"""City-wide allocation of summer jobs (*feriejobb*): policy, matching, explanations, report.

A plain library without Django: :func:`skillnader.allocation.inputs.read_applicants` and
:func:`~skillnader.allocation.inputs.read_positions` read the files,
:func:`skillnader.allocation.policy.load_policy` the policy, :func:`skillnader.allocation.run.allocate`
matches and explains, :func:`skillnader.allocation.report.build_report` summarises. The methods
and the properties each mode guarantees are described in ``docs/allocation.md``.
"""

from skillnader.allocation.model import Applicant, Position
from skillnader.allocation.policy import Policy, load_policy, parse_policy
from skillnader.allocation.run import Result, allocate

__all__ = [
    "Applicant",
    "Policy",
    "Position",
    "Result",
    "allocate",
    "load_policy",
    "parse_policy",
]
