"""A real OpenLDAP server of the tests' own (Debian's `slapd`): its own configuration, database and free port in a
temporary directory, loaded from an LDIF before it starts. The machine's own slapd, if any, is never touched."""

import base64
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SUFFIX = "dc=firm,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin-pw"
# The account the application binds with to search for people (LDAP_BIND_DN): read-only, like a firm's service
# account.
READER_DN = f"cn=kpi-reader,{SUFFIX}"
READER_PASSWORD = "directory-reader-pw"
SCHEMAS = ("core", "cosine", "inetorgperson")


def _binary(name: str) -> str | None:
    return shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )


def available() -> bool:
    return all(_binary(name) for name in ("slapd", "slapadd", "openssl"))


def ssha(password: str) -> str:
    """The {SSHA} form directories store passwords in (salted SHA-1, RFC 2307 style)."""
    salt = os.urandom(8)
    digest = hashlib.sha1(password.encode() + salt).digest()  # noqa: S324 — the format RFC 2307 directories use
    return "{SSHA}" + base64.b64encode(digest + salt).decode()


def person_ldif(uid: str, *, password: str, mail: str = "", name: str = "", employee_type: str = "") -> str:
    lines = [
        f"dn: uid={uid},{PEOPLE}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {name or uid}",
        f"sn: {name or uid}",
        f"userPassword: {ssha(password)}",
    ]
    if mail:
        lines.append(f"mail: {mail}")
    if employee_type:
        lines.append(f"employeeType: {employee_type}")
    return "\n".join(lines) + "\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SlapdServer:
    """slapd on ldap://127.0.0.1:<port>/ with an mdb database for SUFFIX, the admin, a read-only search account
    and the people given as LDIF entries."""

    def __init__(self, people_ldif: str, *, tls: bool = False):
        self.people_ldif = people_ldif
        self.tls = tls
        self.ca_file = None
        self.other_ca_file = None  # an authority that signed nothing here: the server must not verify with it
        self.port = _free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}/"
        self.directory = Path(tempfile.mkdtemp(prefix="lawfirm-kpi-slapd-"))
        self.process = None

    def _write_config(self) -> Path:
        data = self.directory / "data"
        data.mkdir()
        includes = "\n".join(f"include /etc/ldap/schema/{name}.schema" for name in SCHEMAS)
        tls = self._write_certificates() if self.tls else ""
        config = self.directory / "slapd.conf"
        config.write_text(
            f"""{includes}
{tls}
pidfile {self.directory}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ADMIN_DN}"
rootpw {ADMIN_PASSWORD}
directory {data}
# People may bind with their own password; only the search account and the admin read the entries, and nobody
# reads a password.
access to attrs=userPassword
  by anonymous auth
  by * none
access to *
  by dn.exact="{READER_DN}" read
  by self read
  by * none
"""
        )
        return config

    def _write_certificates(self) -> str:
        """A certificate authority of the test's own and a certificate for 127.0.0.1 signed by it (StartTLS)."""
        openssl = _binary("openssl")
        d = self.directory
        self.ca_file = d / "ca.pem"
        self.other_ca_file = d / "other-ca.pem"
        commands = [
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Another CA",
             "-keyout", d / "other-ca.key", "-out", self.other_ca_file],
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=Test firm CA",
             "-keyout", d / "ca.key", "-out", self.ca_file],
            [openssl, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", d / "server.key", "-out", d / "server.csr"],
            [openssl, "x509", "-req", "-days", "1", "-in", d / "server.csr", "-CA", self.ca_file,
             "-CAkey", d / "ca.key", "-CAcreateserial", "-out", d / "server.pem", "-extfile", d / "san.cnf"],
        ]  # fmt: skip
        (d / "san.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
        for command in commands:
            subprocess.run([str(part) for part in command], check=True, capture_output=True, timeout=60)  # noqa: S603 — the machine's openssl, fixed arguments
        return (
            f"TLSCACertificateFile {self.ca_file}\nTLSCertificateFile {d / 'server.pem'}\n"
            f"TLSCertificateKeyFile {d / 'server.key'}"
        )

    def _base_ldif(self) -> str:
        return (
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: firm\no: Firm\n\n"
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n\n"
            f"dn: {READER_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: kpi-reader\n"
            f"userPassword: {ssha(READER_PASSWORD)}\n\n" + self.people_ldif
        )

    def start(self):
        config = self._write_config()
        ldif = self.directory / "people.ldif"
        ldif.write_text(self._base_ldif())
        subprocess.run(  # noqa: S603 — the machine's slapadd, fixed arguments
            [_binary("slapadd"), "-f", str(config), "-l", str(ldif)], check=True, capture_output=True, timeout=60
        )
        # -d 0: stay in the foreground (the test owns the process and ends it), logging nothing.
        self.process = subprocess.Popen(  # noqa: S603 — the machine's slapd, fixed arguments
            [_binary("slapd"), "-f", str(config), "-h", self.uri, "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd stopped: {self.process.stderr.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("slapd did not start listening within 20 s")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)
