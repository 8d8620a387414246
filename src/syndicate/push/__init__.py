"""Push syndication's rules (issue 19), pure: what one delivery attempt's answer means and
when to try again (rules.py), which addresses a push may reach (address.py), and what is
sent: the body in the partner's format, its signature and idempotency key (payload.py).

The worker (worker/push*.py) and the store (store/pushes.py) apply them; nothing here
reads the clock, the network or Redis.
"""
