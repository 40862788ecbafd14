"""OneStop: a single point of contact for council residents."""
