"""Helpers shared by the tests: tiny assets, the Hub double, fixtures builders, fake runs."""
