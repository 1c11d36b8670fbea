"""Private implementation of :mod:`analysis.rates` (import from there, not from here).

``_inputs`` validates, ``_numerics`` holds the vectorised formulas,
``_format`` the wording; one module per public function with its result class.
"""
