"""The JSON API's routes, one module per area, mixed into the gateway service class."""
