"""C2PA content credentials: a development CA for people without one, signing, verification.

A project's signer lives in `<home>/signing/` (`signer.pem`: leaf + CA chain, `signer.key`,
`ca.pem`: the trust anchor). `reelwright init-signing` creates a development CA and an ES256
signer there; it is for development only — production needs a certificate from a CA that
C2PA validators trust.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reelwright.config import HomePaths
from reelwright.errors import InputError

DEV_NOTICE = (
    "DEVELOPMENT signing credentials: a self-made CA that no one else trusts. Use them to try "
    "signing and verification; sign releases with a certificate from a recognised C2PA CA."
)
MIME = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".mp4": "video/mp4",
    ".webp": "image/webp",
}


@dataclass(frozen=True)
class SigningConfig:
    folder: Path

    @property
    def chain(self) -> Path:
        return self.folder / "signer.pem"

    @property
    def key(self) -> Path:
        return self.folder / "signer.key"

    @property
    def ca(self) -> Path:
        return self.folder / "ca.pem"

    def exists(self) -> bool:
        return self.chain.is_file() and self.key.is_file() and self.ca.is_file()


def signing_config(home: Path) -> SigningConfig | None:
    config = SigningConfig(HomePaths(Path(home)).signing)
    return config if config.exists() else None


def init_signing(home: Path, *, force: bool = False) -> tuple[SigningConfig, bool]:
    """Create a development CA and signer under home/signing; (config, created)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    config = SigningConfig(HomePaths(Path(home)).signing)
    if config.exists() and not force:
        return config, False
    now = dt.datetime.now(dt.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Reelwright (development)"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "FOR DEVELOPMENT ONLY"),
            ]
        )

    usage = dict(
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        encipher_only=False,
        decipher_only=False,
    )
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("Reelwright Development CA"))
        .issuer_name(name("Reelwright Development CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=False, key_cert_sign=True, crl_sign=True, **usage),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("Reelwright Development Signer"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=730))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, key_cert_sign=False, crl_sign=False, **usage),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    config.folder.mkdir(parents=True, exist_ok=True)
    config.chain.write_bytes(leaf.public_bytes(pem) + ca.public_bytes(pem))
    config.ca.write_bytes(ca.public_bytes(pem))
    key_bytes = key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(config.key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_bytes)
    (config.folder / "README.txt").write_text(DEV_NOTICE + "\n", encoding="utf-8")
    return config, True


def sign_in_place(path: Path, config: SigningConfig, manifest: dict[str, Any]) -> None:
    """Embed a C2PA manifest into the file at path (PNG, JPEG, MP4…), atomically."""
    import c2pa

    mime = MIME.get(path.suffix.lower())
    if mime is None:
        raise InputError(f"cannot sign {path.name}: unsupported file type")
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(
            c2pa.C2paSigningAlg.ES256, config.chain.read_bytes(), config.key.read_bytes(), None
        )
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        with c2pa.Builder(manifest) as builder, open(path, "rb") as src, open(tmp, "w+b") as dst:
            builder.sign(signer, mime, src, dst)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        signer.close()


def creation_manifest(
    title: str, source_type: str, software: str, extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "claim_generator_info": [{"name": "reelwright", "version": software.split()[-1]}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": source_type,
                            "softwareAgent": {"name": software},
                        }
                    ]
                },
            },
            {"label": "org.reelwright.provenance", "data": extra},
        ],
    }


@dataclass
class Verification:
    path: Path
    state: str  # Trusted | Valid | Invalid | none
    trusted: bool
    manifest: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.trusted and self.state == "Trusted"


def verify(path: Path, trust_pem: bytes | None) -> Verification:
    import c2pa

    if not path.is_file():
        raise InputError(f"no such file: {path}")
    settings: dict[str, Any] = {"verify": {"verify_trust": True}}
    if trust_pem:
        settings["trust"] = {"trust_anchors": trust_pem.decode("ascii")}
    context = c2pa.Context(c2pa.Settings.from_dict(settings))
    try:
        reader = c2pa.Reader.try_create(str(path), context=context)
    except c2pa.C2paError as exc:
        return Verification(path, "Invalid", False, failures=[str(exc)])
    if reader is None:
        return Verification(path, "none", False, failures=["no C2PA manifest in the file"])
    with reader:
        state = reader.get_validation_state() or "Invalid"
        results = reader.get_validation_results() or {}
        manifest = reader.get_active_manifest() or {}
    active = results.get("activeManifest", {}) if isinstance(results, dict) else {}
    failures = [f"{f.get('code')}: {f.get('explanation', '')}" for f in active.get("failure", [])]
    trusted = any(s.get("code") == "signingCredential.trusted" for s in active.get("success", []))
    return Verification(path, state, trusted, manifest=manifest, failures=failures)


def summarise(v: Verification) -> dict[str, Any]:
    m = v.manifest
    actions = [
        a
        for assertion in m.get("assertions", [])
        if assertion.get("label", "").startswith("c2pa.actions")
        for a in assertion.get("data", {}).get("actions", [])
    ]
    sig = m.get("signature_info", {})
    return {
        "file": str(v.path),
        "validation_state": v.state,
        "trusted": v.trusted,
        "ok": v.ok,
        "title": m.get("title"),
        "claim_generator": m.get("claim_generator")
        or [g.get("name") for g in m.get("claim_generator_info", [])],
        "actions": [
            {
                "action": a.get("action"),
                "digitalSourceType": a.get("digitalSourceType"),
                "softwareAgent": a.get("softwareAgent"),
            }
            for a in actions
        ],
        "signer": {
            "issuer": sig.get("issuer"),
            "common_name": sig.get("common_name"),
            "time": sig.get("time"),
        },
        "failures": v.failures,
    }


def to_json(v: Verification) -> str:
    return json.dumps(summarise(v), indent=2, default=str)
