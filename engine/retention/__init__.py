"""Retention per record type (rule R25): periods from configuration, the monthly run that
crypto-shreds what is due, and the Löschsperre (legal hold) that stops it for one case."""
