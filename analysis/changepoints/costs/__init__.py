"""Change-point costs: one module per cost, each with its compiled kernels beside it."""

from analysis.changepoints.costs._base import Cost
from analysis.changepoints.costs.linear import LinearCost
from analysis.changepoints.costs.negbin import NegBinCost
from analysis.changepoints.costs.normal import NormalCost
from analysis.changepoints.costs.normal_meanvar import MeanVarCost
from analysis.changepoints.costs.poisson import PoissonCost

__all__ = ["Cost", "LinearCost", "MeanVarCost", "NegBinCost", "NormalCost", "PoissonCost"]
