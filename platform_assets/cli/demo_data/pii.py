"""PII values (emails, phone numbers, public IPv4/IPv6) and the sentences that carry them."""

from __future__ import annotations

from platform_assets.cli.demo_data import words as w
from platform_assets.cli.demo_data.rng import FastRandom

MAIL_HOSTS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "fastmail.com", "mail.example.net")
SENTENCES = {
    "email": ("You can reach me at {} if you have any questions.", "Send your photos to {} before Friday.",
              "For bookings, write to {} and mention this article."),
    "phone": ("Call our office at {} between nine and five.", "If you need help, ring {} any evening.",
              "The front desk number is {} for anyone who wants to visit."),
    "ipv4": ("The old server at {} stopped answering requests last week.",
             "Our logs showed repeated logins from {} during the night."),
    "ipv6": ("The new mirror listens on {} for incoming connections.",
             "Traffic from {} was blocked after the third attempt."),
}
KINDS = tuple(SENTENCES)


def email(rng: FastRandom) -> str:
    first, last = rng.choice(w.FIRST_NAMES).lower(), rng.choice(w.LAST_NAMES).lower()
    user = rng.choice((f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first[0]}{last}"))
    return f"{user}@{rng.choice(MAIL_HOSTS)}"


def phone(rng: FastRandom) -> str:
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), rng.randint(1000, 9999)
    return rng.choice((f"({a}) {b}-{c}", f"+1 {a}-{b}-{c}", f"{a}.{b}.{c}", f"+44 20 {b + 7000} {c}"))


# First octets of routable unicast space, leaving out private, CGNAT, loopback, link-local and doc ranges.
_PUBLIC_FIRST = [o for o in range(1, 224) if o not in (10, 169, 172, 192, 198, 203) and not 100 <= o <= 127]


def public_ipv4(rng: FastRandom) -> str:
    first = rng.choice(_PUBLIC_FIRST)
    return ".".join(str(x) for x in (first, rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)))


def public_ipv6(rng: FastRandom) -> str:
    # global unicast; a second group >= 0x1000 stays clear of 2001:db8 (docs) and 2001:0 (Teredo)
    head = [rng.choice((0x2001, 0x2a00, 0x2a03, 0x2600, 0x2c0f)), rng.randint(0x1000, 0xFFFF)]
    return ":".join(f"{g:x}" for g in head + [rng.randint(1, 0xFFFF) for _ in range(6)])


def private_ipv4(rng: FastRandom) -> str:
    return rng.choice((f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                       f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}", "127.0.0.1"))


VALUES = {"email": email, "phone": phone, "ipv4": public_ipv4, "ipv6": public_ipv6}


def carrier(rng: FastRandom, kind: str) -> tuple[str, str]:
    """(value, sentence holding it) for one PII kind."""
    value = VALUES[kind](rng)
    return value, rng.choice(SENTENCES[kind]).format(value)
