"""The JSON API `/api/v1` (interfaces.md)."""
