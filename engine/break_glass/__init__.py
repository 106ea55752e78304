"""Break-glass access (R35, DP-11): the Bereitschaftsdienst reads one case of its Jugendamt in an
emergency, with a stated reason, for hours; audited, shown on the case, reviewed afterwards."""
