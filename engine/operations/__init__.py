"""What an operator watches: the scheduler's heartbeat, readiness, and the figures behind /metrics."""
