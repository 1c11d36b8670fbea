"""Bayesian online change-point detection (Adams and MacKay 2007).

``online_changepoints`` and its result ``OnlineChangepoints``. The compiled
recursion is in ``_kernel``, the observation families (input rules, priors,
the overdispersion check) in ``_model``, the public function and its
detection rule in ``_detect``, the result object in ``_result``.
"""

from analysis.changepoints.online._detect import online_changepoints
from analysis.changepoints.online._result import OnlineChangepoints

__all__ = ["OnlineChangepoints", "online_changepoints"]
