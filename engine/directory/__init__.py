"""The Jugendamt directory: which Jugendamt is competent for which municipality on which date
(`routing`, standard library only) and its rows in the database (`store`).

Must not import `engine.cases`: routing is decided from plain values.
"""
