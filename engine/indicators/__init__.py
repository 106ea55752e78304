"""The network's indicators for the Qualitätsdialog (issue 15 item 3, rule R34): aggregates only."""
