"""The hash locks (requirements.lock, requirements-dev.lock) are what `make install`, the Dockerfile and CI install
(DEVELOPERS.md, "Dependencies"); requirements*.txt are only their sources. These tests fail when a source was
edited without `make lock`, or when a lock was edited by hand into something pip would refuse."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {"requirements.txt": "requirements.lock", "requirements-dev.txt": "requirements-dev.lock"}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[^\s;#\\]+)")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def canonical(name):
    """PEP 503 names: pip-compile writes "django", requirements.txt says "Django"."""
    return re.sub(r"[-_.]+", "-", name).lower()


def source_pins(path):
    """name -> version of the lines pinned in one requirements*.txt (its own lines, not those it includes)."""
    pins = {}
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = PIN.match(line)
        assert match, f"{path}: {line!r} is not pinned with =="
        pins[canonical(match["name"])] = match["version"]
    return pins


def lock_entries(path):
    """name -> (version, hashes, the sources that asked for it) of one lock file."""
    entries, current = {}, None
    for line in (ROOT / path).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            current = canonical(match["name"])
            entries[current] = (match["version"], [], set())
        elif current and HASH.search(line):
            entries[current][1].extend(HASH.findall(line))
        elif current and (via := re.search(r"#\s+(?:via\s+)?-r (\S+)", line)):
            entries[current][2].add(via[1])
        elif line and not line.startswith((" ", "#")):
            pytest.fail(f"{path}: unexpected line {line!r}")
    return entries


@pytest.mark.parametrize("source", SOURCES)
def test_every_pin_of_a_source_is_in_its_lock_at_the_same_version(source):
    lock = lock_entries(SOURCES[source])
    for name, version in source_pins(source).items():
        assert name in lock, f"{name} is in {source} but not in {SOURCES[source]}: run `make lock`"
        assert lock[name][0] == version, (
            f"{source} pins {name}=={version}, {SOURCES[source]} has {lock[name][0]}: run `make lock`"
        )


@pytest.mark.parametrize("source", SOURCES)
def test_a_lock_asks_for_nothing_its_source_no_longer_names(source):
    pins = source_pins(source)
    for name, (_version, _hashes, asked_by) in lock_entries(SOURCES[source]).items():
        if source in asked_by:
            assert name in pins, f"{SOURCES[source]} still has {name} from {source}, which dropped it: run `make lock`"


def test_the_dev_lock_holds_the_runtime_lock_at_the_same_versions():
    # The runtime lock is what the image runs; tests must run against exactly those versions.
    runtime, dev = lock_entries("requirements.lock"), lock_entries("requirements-dev.lock")
    for name, (version, _hashes, _asked_by) in runtime.items():
        assert name in dev, f"{name} is in requirements.lock but not in requirements-dev.lock: run `make lock`"
        assert dev[name][0] == version, f"{name}: {version} at runtime, {dev[name][0]} in the dev lock"


@pytest.mark.parametrize("lock", SOURCES.values())
def test_every_locked_package_carries_a_hash(lock):
    # pip --require-hashes refuses the whole file when one package, or one it pulls in, has none.
    entries = lock_entries(lock)
    assert entries
    for name, (_version, hashes, _asked_by) in entries.items():
        assert hashes, f"{lock}: {name} has no --hash"
    # python-ldap is only published as source: its sdist is hashed too.
    assert entries["python-ldap"][1]


@pytest.mark.parametrize("lock", SOURCES.values())
def test_a_lock_names_no_index_of_this_machine(lock):
    text = (ROOT / lock).read_text(encoding="utf-8")
    assert "--index-url" not in text and "--extra-index-url" not in text and "--find-links" not in text


def test_make_the_image_and_ci_install_from_the_locks_with_hashes():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    install = makefile.split("$(VENV)/.installed:", 1)[1].split("\n\n", 1)[0]
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in install
    assert "requirements.txt" not in install.split("\n", 1)[1] and "requirements-dev.txt" not in install
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r /build/requirements.lock" in dockerfile
    assert "requirements.txt" not in dockerfile
    assert "make install" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
