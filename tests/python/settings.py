"""Settings stored in the Settings table, across languages.

  create DIR NAME=VALUE...  creates a cache with these settings
  expect DIR NAME=VALUE...  opens DIR (settings unchanged) and checks them

Values are compared as str(getattr(cache, NAME)); create passes integers as int.
"""

import sys

sys.dont_write_bytecode = True  # keep tests/python free of __pycache__
import diskcache
from interop import expect, fail


def parse(pairs):
    settings = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        settings[name] = int(value) if value.lstrip("-").isdigit() else value
    return settings


def main(command, directory, *pairs):
    settings = parse(pairs)
    if command == "create":
        diskcache.Cache(directory, **settings).close()
    elif command == "expect":
        with diskcache.Cache(directory) as cache:
            for name, value in settings.items():
                expect(getattr(cache, name), value, f"cache.{name}")
    else:
        fail(f"unknown command {command!r}")


main(*sys.argv[1:])
