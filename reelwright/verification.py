"""Verify an episode package folder: every file against the SHA-256 that run.json (and, for
frames, provenance.json) records, and every file that should carry content credentials
against its C2PA signature. One verdict per file; the package passes only if all are `ok`.

run.json itself is not hashed (it holds the hashes): what makes a package trustworthy is the
signatures. A package made without a signer therefore does not pass: its media files are
`unsigned`, and the report says how to sign the next run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Literal

from reelwright.compliance.signing import Verification, verify
from reelwright.errors import InputError
from reelwright.records import ProvenanceRecord, read_record
from reelwright.staging import RECORD, package_files
from reelwright.staging import read_record as read_run_record

Verdict = Literal[
    "ok",
    "edited",
    "missing",
    "unlisted",
    "unsigned",
    "untrusted signer",
    "invalid signature",
]

# files a signed package carries C2PA manifests in (provenance.json lists the same patterns)
SIGNED_FILES = ("frames/*.png", "animatic.mp4")
UNTRUSTED = "signingCredential.untrusted"  # the one failure a valid signature may carry
NO_SIGNER = "made without a signer: run `reelwright init-signing` before the next run"


@dataclass
class FileVerdict:
    file: str
    verdict: Verdict
    detail: str = ""
    signer: str = ""

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"


@dataclass
class PackageVerification:
    root: Path
    run_id: str
    status: str
    signed: bool | None  # what provenance.json says; None when it cannot be read
    files: list[FileVerdict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.files) and all(f.ok for f in self.files)

    def to_json(self) -> dict[str, object]:
        return {
            "package": str(self.root),
            "run_id": self.run_id,
            "status": self.status,
            "signed": self.signed,
            "ok": self.ok,
            "files": [
                {"file": f.file, "verdict": f.verdict, "detail": f.detail, "signer": f.signer}
                for f in self.files
            ],
        }


def signature_verdict(v: Verification) -> tuple[Verdict, str]:
    """What a file's C2PA check means: unsigned, an invalid signature, a valid signature
    from a signer not trusted here, or ok (valid and trusted)."""
    if v.state == "none":
        return "unsigned", "no C2PA manifest in the file"
    other = [f for f in v.failures if not f.startswith(UNTRUSTED)]
    if v.state == "Invalid" or other:
        return "invalid signature", "; ".join(other) or "the manifest does not validate"
    if not v.trusted:
        return "untrusted signer", "valid signature, but the signer is not trusted here"
    return "ok", "valid signature, trusted signer"


def signer_name(v: Verification) -> str:
    sig = v.manifest.get("signature_info", {})
    return str(sig.get("common_name") or "")


def verify_package(root: Path, trust_pem: bytes | None) -> PackageVerification:
    """Check every file of the package in `root`. Raises InputError when `root` holds no
    package (no run.json, or one that cannot be read)."""
    record = read_run_record(root)
    if record is None:
        raise InputError(f"{root} is not an episode package: it has no {RECORD}")
    try:
        provenance: ProvenanceRecord | None = read_record(
            root / "provenance.json", ProvenanceRecord
        )
    except InputError:
        provenance = None  # reported as its own file's verdict below
    signed = provenance.c2pa.signed if provenance else None
    frame_hashes = {f.file: f.sha256 for f in provenance.frames} if provenance else {}
    present = package_files(root)
    result = PackageVerification(root, record.run_id, record.status, signed)
    for name in sorted(set(record.files) | set(present)):
        result.files.append(
            _file_verdict(root, name, record.files, present, frame_hashes, signed, trust_pem)
        )
    if provenance is None and "provenance.json" in present:
        for row in result.files:
            if row.file == "provenance.json" and row.ok:
                row.verdict, row.detail = "edited", "not a provenance record this version reads"
    return result


def _file_verdict(
    root: Path,
    name: str,
    listed: dict[str, str],
    present: dict[str, str],
    frame_hashes: dict[str, str],
    signed: bool | None,
    trust_pem: bytes | None,
) -> FileVerdict:
    if name not in present:
        return FileVerdict(name, "missing", f"listed in {RECORD}, not in the folder")
    if name not in listed:
        return FileVerdict(name, "unlisted", f"not written by the package (not in {RECORD})")
    edited = present[name] != listed[name] or frame_hashes.get(name, present[name]) != present[name]
    if not any(fnmatch(name, pattern) for pattern in SIGNED_FILES):
        if edited:
            return FileVerdict(name, "edited", f"SHA-256 differs from {RECORD}")
        return FileVerdict(name, "ok", "hash matches")
    check = verify(root / name, trust_pem)
    verdict, detail = signature_verdict(check)
    if verdict == "unsigned":
        why = {
            True: "its C2PA manifest was removed",
            False: f"the package was {NO_SIGNER}",
            None: detail,  # provenance.json cannot say whether it was signed
        }[signed]
        return FileVerdict(name, "unsigned", why)
    if edited:
        return FileVerdict(name, "edited", f"SHA-256 differs from {RECORD}; {detail}")
    return FileVerdict(name, verdict, detail, signer_name(check))
