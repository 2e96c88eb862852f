"""Intercoder agreement: coefficients computed from weighted coding patterns (see ``stats``)."""
