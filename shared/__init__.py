"""Building blocks shared by the EPUN services: contracts, storage, messaging, auth, metrics."""
