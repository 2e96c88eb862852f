"""Intercoder agreement: coefficients computed from weighted coding patterns (see ``stats``)."""

# Defaults shared by the core, the command line and the GUI (kept here so that reading them does
# not import numpy).
DEFAULT_SEED = 20261206  # bootstrap seed: the same data give the same interval on every run
MINIMUMS = (0.667, 0.8)  # Krippendorff's customary minimums for alpha (tentative; reliable)
